using CustomerHealth.Store.Deliveries;
using CustomerHealth.Web.Auth;
using CustomerHealth.Web.Deliveries;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace CustomerHealth.Web.Api;

/// <summary>The outbox (SPEC §8): what was sent, what waits for a retry, what failed and why; and sending failed ones again.</summary>
internal static class DeliveriesApi
{
    public sealed record DeliveryList(IReadOnlyDictionary<string, int> Counts, IReadOnlyList<DeliveryInfo> Deliveries);

    public sealed record DeliveryInfo(
        long Id, string IdempotencyKey, string Kind, long? AlertId, string? AccountId, string Channel, string Target, string Notify, string State, long Attempts,
        string NextAttemptAt, string? LastError, string CreatedAt, string? SentAt)
    {
        public static DeliveryInfo Of(DeliveryView d) =>
            new(d.Id, d.IdempotencyKey, d.Kind, d.AlertId, d.AccountId, d.Channel, d.Target, d.Notify, d.State, d.Attempts, d.NextAttemptAt, d.LastError, d.CreatedAt, d.SentAt);
    }

    public sealed record RetryResult(int Retried);

    private static readonly string[] States = ["pending", "sent", "failed"];

    public static PolicyGroups MapDeliveries(this PolicyGroups api)
    {
        api.Read.MapGet("/deliveries", List)
            .WithSummary("Deliveries of alerts and digests, newest first, with counts per state (state=pending|sent|failed, alert_id=, limit=)");
        api.Manage.MapPost("/deliveries/{id:long}/retry", (long id, Outbox outbox, DeliveryWorker worker) => Retry(id, outbox, worker))
            .WithSummary("Send a failed delivery again");
        api.Manage.MapPost("/deliveries/retry", (Outbox outbox, DeliveryWorker worker) => Retry(null, outbox, worker))
            .WithSummary("Send every failed delivery again");
        return api;
    }

    private static Results<Ok<DeliveryList>, ProblemHttpResult> List(Outbox outbox, string? state, [FromQuery(Name = "alert_id")] long? alertId, int? limit)
    {
        if (state is not null && !States.Contains(state))
        {
            return Problems.BadField("state", $"unknown state `{state}`; use pending, sent or failed");
        }
        if (limit is < 1 or > 10_000)
        {
            return Problems.BadField("limit", "must be between 1 and 10000");
        }
        return TypedResults.Ok(new DeliveryList(outbox.Counts(), outbox.List(state, alertId, limit ?? 200).Select(DeliveryInfo.Of).ToList()));
    }

    private static Results<Ok<RetryResult>, ProblemHttpResult> Retry(long? id, Outbox outbox, DeliveryWorker worker)
    {
        var n = outbox.Retry(id);
        if (id is not null && n == 0)
        {
            return Problems.NotFound($"no failed delivery {id}");
        }
        worker.Notify();
        return TypedResults.Ok(new RetryResult(n));
    }
}
