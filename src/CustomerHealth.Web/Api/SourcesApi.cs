using CustomerHealth.Store.Reading;
using CustomerHealth.Web.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace CustomerHealth.Web.Api;

/// <summary>
/// Data health (`chs sources --json`): for each signal kind, the active accounts that send it, when it last came and
/// arrived, its weekly volume, whether it went quiet as a whole or for some accounts; and the model's measures whose
/// source covers few accounts. The records below are the wire format, mapped from the store's.
/// </summary>
internal static class SourcesApi
{
    public sealed record SourcesInfo(string AsOf, int QuietDays, int LookbackDays, int ActiveAccounts, IReadOnlyList<SourceInfo> Sources, IReadOnlyList<MeasureSourceInfo> Measures)
    {
        public static SourcesInfo Of(SourcesReport r) =>
            new(r.AsOf, r.QuietDays, r.LookbackDays, r.ActiveAccounts, r.Sources.Select(SourceInfo.Of).ToList(), r.Measures.Select(MeasureSourceInfo.Of).ToList());
    }

    public sealed record SourceInfo(
        string Kind, string Status, int Accounts, double Coverage, string? LastSignalOn, int? DaysSinceLast, double? UsualGapDays, int? SilenceDays,
        string? LastReceivedAt, long RowsReceived, IReadOnlyList<WeekInfo> Weekly, int QuietAccounts, IReadOnlyList<QuietAccountInfo> Quiet)
    {
        public static SourceInfo Of(SourceHealthRow s) =>
            new(s.Kind, s.Status, s.Accounts, s.Coverage, s.LastSignalOn, s.DaysSinceLast, s.UsualGapDays, s.SilenceDays, s.LastReceivedAt, s.RowsReceived,
                s.Weekly.Select(w => new WeekInfo(w.Week, w.Count)).ToList(), s.QuietAccounts, s.Quiet.Select(QuietAccountInfo.Of).ToList());
    }

    public sealed record WeekInfo(string Week, long Count);

    public sealed record QuietAccountInfo(string AccountId, string? Name, string? Owner, double? Arr, string LastSignalOn, int DaysQuiet, double? UsualGapDays)
    {
        public static QuietAccountInfo Of(QuietAccount q) => new(q.AccountId, q.Name, q.Owner, q.Arr, q.LastSignalOn, q.DaysQuiet, q.UsualGapDays);
    }

    public sealed record MeasureSourceInfo(string Dimension, string Measure, string Label, string Source, double? Coverage, bool LowCoverage)
    {
        public static MeasureSourceInfo Of(MeasureSource m) => new(m.Dimension, m.Measure, m.Label, m.Source, m.Coverage, m.LowCoverage);
    }

    public static PolicyGroups MapSources(this PolicyGroups api)
    {
        api.Read.MapGet("/sources", Read).WithSummary("Data health: each signal kind's coverage, last signal and arrival, weekly volume and quiet accounts (quiet_days: 1-365, default 14)");
        return api;
    }

    private static Results<Ok<SourcesInfo>, ProblemHttpResult> Read(SourceReader reader, [FromQuery(Name = "quiet_days")] int? quietDays)
    {
        if (quietDays is < 1 or > 365)
        {
            return Problems.BadField("quiet_days", "must be between 1 and 365");
        }
        return TypedResults.Ok(SourcesInfo.Of(reader.Read(quietDays ?? Core.Signals.SourceHealth.DefaultQuietDays)));
    }
}
