using CustomerHealth.Store;
using CustomerHealth.Store.Deliveries;
using CustomerHealth.Web.Auth;
using CustomerHealth.Web.Deliveries;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace CustomerHealth.Web.Api;

/// <summary>The outbox (SPEC §8): what was sent, what waits for a retry, what failed and why; and sending failed ones again.</summary>
internal static class DeliveriesApi
{
    public sealed record DeliveryList(IReadOnlyDictionary<string, int> Counts, IReadOnlyList<DeliveryView> Deliveries);

    public sealed record RetryResult(int Retried);

    private static readonly string[] States = ["pending", "sent", "failed"];

    public static RouteGroupBuilder MapDeliveries(this RouteGroupBuilder api)
    {
        api.MapGet("/deliveries", List).RequireAuthorization(Access.Read)
            .WithSummary("Deliveries of alerts and digests, newest first, with counts per state (state=pending|sent|failed, alert_id=, limit=)");
        api.MapPost("/deliveries/{id:long}/retry", (long id, StoreDb db, TimeProvider clock, DeliveryWorker worker) => Retry(id, db, clock, worker))
            .RequireAuthorization(Access.Manage).WithSummary("Send a failed delivery again");
        api.MapPost("/deliveries/retry", (StoreDb db, TimeProvider clock, DeliveryWorker worker) => Retry(null, db, clock, worker))
            .RequireAuthorization(Access.Manage).WithSummary("Send every failed delivery again");
        return api;
    }

    private static Results<Ok<DeliveryList>, ProblemHttpResult> List(StoreDb db, TimeProvider clock, string? state, [FromQuery(Name = "alert_id")] long? alertId, int? limit)
    {
        if (state is not null && !States.Contains(state))
        {
            return Problems.BadField("state", $"unknown state `{state}`; use pending, sent or failed");
        }
        if (limit is < 1 or > 10_000)
        {
            return Problems.BadField("limit", "must be between 1 and 10000");
        }
        var outbox = new Outbox(db, clock);
        return TypedResults.Ok(new DeliveryList(outbox.Counts(), outbox.List(state, alertId, limit ?? 200)));
    }

    private static Results<Ok<RetryResult>, ProblemHttpResult> Retry(long? id, StoreDb db, TimeProvider clock, DeliveryWorker worker)
    {
        var n = new Outbox(db, clock).Retry(id);
        if (id is not null && n == 0)
        {
            return Problems.NotFound($"no failed delivery {id}");
        }
        worker.Notify();
        return TypedResults.Ok(new RetryResult(n));
    }
}
