using CustomerHealth.Core.Model;
using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Engines;
using CustomerHealth.Store.Models;
using Dapper;

namespace CustomerHealth.Store.Reading;

/// <summary>An account whose signals of a kind went quiet: they used to come and have not for longer than usual.</summary>
/// <param name="AccountId">The account.</param>
/// <param name="Name">Its name.</param>
/// <param name="Owner">Its CSM.</param>
/// <param name="Arr">Its ARR.</param>
/// <param name="LastSignalOn">The day of its newest signal of the kind.</param>
/// <param name="DaysQuiet">Days from that signal to the day of the report.</param>
/// <param name="UsualGapDays">The usual number of days between two days with a signal, over the look-back.</param>
public sealed record QuietAccount(string AccountId, string? Name, string? Owner, double? Arr, string LastSignalOn, int DaysQuiet, double? UsualGapDays);

/// <summary>How many signals of a kind are dated in a week (Monday to Sunday; the current week so far).</summary>
public sealed record WeekVolume(string Week, long Count);

/// <summary>
/// One signal kind's health as of a day: how many active accounts have it within the look-back, when the newest
/// signal is dated and when rows last arrived, its weekly volume, whether the whole source went quiet, and the
/// accounts where it went quiet (the first ones, by ARR, largest first; <see cref="QuietAccounts"/> counts them all).
/// </summary>
/// <param name="Kind">The import kind (`usage`, `surveys`, ...).</param>
/// <param name="Accounts">Active accounts with a signal of the kind within the look-back.</param>
/// <param name="Coverage">Those accounts' share of the active accounts (0–1).</param>
/// <param name="LastSignalOn">The day of the newest signal of the kind, of any account (within the look-back).</param>
/// <param name="DaysSinceLast">Days from that signal to the day of the report.</param>
/// <param name="UsualGapDays">The usual number of days between two days with a signal of the kind, of any account.</param>
/// <param name="SilenceDays">After how many days without a signal the whole source counts as quiet.</param>
/// <param name="Status">`flowing`, `quiet` (nothing from any account for longer than usual), `none` (nothing within the look-back), or
/// `external` (an external source computes the kind's measures: <paramref name="ComputedIn"/>; its rows are not in the store).</param>
/// <param name="LastReceivedAt">When rows of the kind last arrived (an import or a request), null before it was first recorded.</param>
/// <param name="RowsReceived">Rows of the kind that arrived since arrivals are recorded.</param>
/// <param name="Weekly">The volume of the last <see cref="SourceReader.Weeks"/> weeks, oldest first.</param>
/// <param name="QuietAccounts">How many active accounts went quiet.</param>
/// <param name="Quiet">The first <see cref="SourceReader.ListedQuiet"/> of them.</param>
/// <param name="ComputedIn">The external source that computes the kind's measures (`chs sources add`), as "NAME (engine)"; null when they read imported signals.</param>
public sealed record SourceHealthRow(
    string Kind, int Accounts, double Coverage, string Status, string? LastSignalOn, int? DaysSinceLast, double? UsualGapDays, int? SilenceDays,
    string? LastReceivedAt, long RowsReceived, IReadOnlyList<WeekVolume> Weekly, int QuietAccounts, IReadOnlyList<QuietAccount> Quiet, string? ComputedIn = null);

/// <summary>A measure of the current model and the coverage of the source it reads; flagged below <see cref="SourceHealth.LowCoverage"/>.</summary>
public sealed record MeasureSource(string Dimension, string Measure, string Label, string Source, double? Coverage, bool LowCoverage);

/// <summary>The Sources page's figures (and `chs sources`, `GET /api/v1/sources`).</summary>
public sealed record SourcesReport(
    string AsOf, int QuietDays, int LookbackDays, int ActiveAccounts, IReadOnlyList<SourceHealthRow> Sources, IReadOnlyList<MeasureSource> Measures);

/// <summary>
/// Data health: for each signal kind, which active accounts send it, when it last came and arrived, its weekly
/// volume, and where it went quiet (the rules are <see cref="SourceHealth"/>'s); and the current model's measures
/// whose source covers few accounts. Everything is read as of a day: signals dated after it are left out.
/// </summary>
public sealed class SourceReader(StoreDb db, ModelVersions models, TimeProvider clock)
{
    /// <summary>The signal kinds a model reads, in the order of SPEC §3: those of the aggregate catalog but the account's own fields.</summary>
    public static readonly IReadOnlyList<SignalKind> Kinds = [.. Core.Measures.AggregateCatalog.Kinds.Where(k => k != SignalKind.Account)];

    /// <summary>How many weeks of volume a source shows (the current one included).</summary>
    public const int Weeks = 12;

    /// <summary>How many quiet accounts a source lists (all are counted).</summary>
    public const int ListedQuiet = 100;

    /// <summary>A kind's name as imported (`usage`, `surveys`, ...).</summary>
    public static string Name(SignalKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>The report as of today (in the current model's timezone; UTC without a model).</summary>
    public SourcesReport Read(int quietDays = SourceHealth.DefaultQuietDays) =>
        Read(models.Current() is null ? DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime) : models.Today(), quietDays);

    /// <summary>The report as of <paramref name="today"/>, a source going quiet after <paramref name="quietDays"/> days at least.</summary>
    public SourcesReport Read(DateOnly today, int quietDays = SourceHealth.DefaultQuietDays)
    {
        if (quietDays < 1)
        {
            throw new StoreException($"the quiet days must be 1 or more, got {quietDays}");
        }
        // Usage accepted over HTTP and not merged yet counts too.
        UsageInbox.Settle(db);
        var from = SourceHealth.LookbackFrom(today);
        var accounts = db.Connection.Query<(long Key, string Id, string? Name, string? Owner, double? Arr)>(
                $"WITH {AccountReader.AccountsWithChurn} SELECT a.account_key, a.account_id, a.name, a.owner, a.arr FROM acc a WHERE a.churned_on IS NULL")
            .ToDictionary(a => a.Key);
        var arrivals = db.Connection.Query<(string Kind, string LastAt, long Rows)>("SELECT kind, last_at, rows_received FROM source_arrivals")
            .ToDictionary(a => a.Kind, StringComparer.Ordinal);
        var sources = new List<SourceHealthRow>();
        var external = new Pushdown.ExternalSources(db, clock).List();
        foreach (var kind in Kinds)
        {
            if (external.FirstOrDefault(e => e.Kind == kind) is { } computed)
            {
                // Its rows live in the engine: the store has no volume or quiet accounts to show for it.
                sources.Add(new SourceHealthRow(Name(kind), 0, 0, "external", null, null, null, null, null, 0, [], 0, [], $"{computed.Name} ({computed.EngineName})"));
                continue;
            }
            var perAccount = PerAccount(kind, from, today).Where(a => accounts.ContainsKey(a.Account)).ToList();
            var daily = Daily(kind, from, today);
            SignalDays? whole = daily.Count == 0 ? null : SourceHealth.Of(daily.Keys);
            var quiet = perAccount
                .Where(a => SourceHealth.State(a.Days, today, quietDays) == SourceState.Quiet)
                .Select(a => (Row: accounts[a.Account], a.Days))
                .OrderByDescending(a => a.Row.Arr ?? double.MinValue).ThenBy(a => a.Row.Id, StringComparer.Ordinal)
                .ToList();
            var firstWeek = SourceHealth.WeekOf(today).AddDays(-7 * (Weeks - 1));
            var weekly = Enumerable.Range(0, Weeks).Select(w => firstWeek.AddDays(7 * w))
                .Select(w => new WeekVolume(StoredDates.Text(w), daily.Where(d => d.Key >= w && d.Key < w.AddDays(7)).Sum(d => d.Value)))
                .ToList();
            var state = SourceHealth.State(whole, today, quietDays);
            arrivals.TryGetValue(Name(kind), out var arrived);
            sources.Add(new SourceHealthRow(
                Name(kind), perAccount.Count, accounts.Count == 0 ? 0 : (double)perAccount.Count / accounts.Count, state.ToString().ToLowerInvariant(),
                whole is { } w1 ? StoredDates.Text(w1.Last) : null, whole is { } w2 ? SourceHealth.DaysSince(w2, today) : null, whole?.UsualGap,
                whole is { } w3 ? SourceHealth.SilenceDays(w3, quietDays) : null,
                arrived.LastAt, arrived.Rows, weekly, quiet.Count,
                quiet.Take(ListedQuiet).Select(q => new QuietAccount(q.Row.Id, q.Row.Name, q.Row.Owner, q.Row.Arr, StoredDates.Text(q.Days.Last),
                    SourceHealth.DaysSince(q.Days, today), q.Days.UsualGap)).ToList()));
        }
        return new SourcesReport(StoredDates.Text(today), quietDays, SourceHealth.LookbackDays, accounts.Count, sources, Measures(sources));
    }

    /// <summary>The current model's measures with the coverage of their source (none for account fields).</summary>
    private List<MeasureSource> Measures(List<SourceHealthRow> sources)
    {
        if (models.Current() is not { } current)
        {
            return [];
        }
        return current.Model.Dimensions.SelectMany(d => d.Measures.Select(m =>
        {
            var source = m.Value.Signal == SignalKind.Account ? "account" : Name(m.Value.Signal);
            var row = sources.FirstOrDefault(s => s.Kind == source);
            var coverage = row?.ComputedIn is null ? row?.Coverage : null;
            return new MeasureSource(d.Id, m.Id, m.Label, source, coverage, coverage is { } c && SourceHealth.IsLowCoverage(c));
        })).ToList();
    }

    /// <summary>The table of each kind but usage, and the day (as stored text, `YYYY-MM-DD`) its signals are dated by.</summary>
    private static (string Table, string Day) Source(SignalKind kind) => kind switch
    {
        SignalKind.Surveys => ("surveys", "substr(responded_at, 1, 10)"),
        SignalKind.Tickets => ("tickets", "substr(opened_at, 1, 10)"),
        // Known from the day it was issued, else its due day (Core's InvoicePoint.Issued).
        SignalKind.Invoices => ("invoices", "COALESCE(issued_on, due_on)"),
        SignalKind.Subscriptions => ("subscriptions", "occurred_on"),
        SignalKind.Orders => ("orders", "substr(placed_at, 1, 10)"),
        SignalKind.Metrics => ("metrics", "date"),
        SignalKind.Sentiment => ("sentiment", "substr(recorded_at, 1, 10)"),
        SignalKind.Touches => ("touches", "substr(occurred_at, 1, 10)"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a dated signal kind"),
    };

    /// <summary>Each account's days with a signal of the kind from <paramref name="from"/> to <paramref name="to"/>.</summary>
    private IEnumerable<(long Account, SignalDays Days)> PerAccount(SignalKind kind, DateOnly from, DateOnly to)
    {
        if (kind == SignalKind.Usage)
        {
            // Days with events (a count above 0); cells come in day order.
            var days = new Dictionary<long, (int First, int Last, int Days)>();
            UsageCells(from, to, (key, day, count) =>
            {
                if (count > 0)
                {
                    days[key] = !days.TryGetValue(key, out var d) ? (day, day, 1) : d.Last == day ? d : (d.First, day, d.Days + 1);
                }
            });
            return days.Select(d => (d.Key, new SignalDays(DateOnly.FromDayNumber(d.Value.First), DateOnly.FromDayNumber(d.Value.Last), d.Value.Days)));
        }
        var (table, day) = Source(kind);
        return db.Connection.Query<(long Account, string First, string Last, long Days)>(
                $"SELECT account_key, MIN(d), MAX(d), COUNT(DISTINCT d) FROM (SELECT account_key, {day} AS d FROM {table}) t WHERE d BETWEEN @from AND @to GROUP BY account_key",
                new { from = StoredDates.Text(from), to = StoredDates.Text(to) })
            .Select(r => (r.Account, new SignalDays(StoredDates.Date(r.First), StoredDates.Date(r.Last), (int)r.Days)));
    }

    /// <summary>The kind's volume per day from <paramref name="from"/> to <paramref name="to"/> (usage: events; other kinds: rows), of every account.</summary>
    private Dictionary<DateOnly, long> Daily(SignalKind kind, DateOnly from, DateOnly to)
    {
        if (kind == SignalKind.Usage)
        {
            var perDay = new Dictionary<int, long>();
            UsageCells(from, to, (_, day, count) => perDay[day] = perDay.GetValueOrDefault(day) + count);
            return perDay.Where(d => d.Value > 0).ToDictionary(d => DateOnly.FromDayNumber(d.Key), d => d.Value);
        }
        var (table, day) = Source(kind);
        return db.Connection.Query<(string Day, long Count)>(
                $"SELECT d, COUNT(*) FROM (SELECT {day} AS d FROM {table}) t WHERE d BETWEEN @from AND @to GROUP BY d",
                new { from = StoredDates.Text(from), to = StoredDates.Text(to) })
            .ToDictionary(r => StoredDates.Date(r.Day), r => r.Count);
    }

    /// <summary>Visits each account's usage cells (<see cref="UsageBlocks"/>) from <paramref name="from"/> to <paramref name="to"/>: account, day and count, in account and day order.</summary>
    private void UsageCells(DateOnly from, DateOnly to, Action<long, int, long> visit)
    {
        var sql = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"SELECT {UsageBlocks.Columns} FROM usage_blocks WHERE block BETWEEN {UsageBlocks.BlockOf(from.DayNumber)} AND {UsageBlocks.BlockOf(to.DayNumber)} ORDER BY account_key, block");
        foreach (var r in db.Engine.ReadRows(db, sql))
        {
            var account = r.GetInt64(0);
            var cell = new UsageBlocks.CellReader(r.GetBytes(2), UsageBlocks.FirstDay(r.GetInt32(1)));
            while (cell.Next())
            {
                if (cell.Day >= from.DayNumber && cell.Day <= to.DayNumber)
                {
                    visit(account, cell.Day, cell.Count);
                }
            }
        }
    }
}
