using CustomerHealth.Core.Scoring;
using CustomerHealth.Store.Models;
using CustomerHealth.Store.Scoring;
using Dapper;

namespace CustomerHealth.Store.Reading;

/// <summary>A dimension's average score (0–100) over a set of accounts, beside the whole team's.</summary>
/// <param name="Id">The dimension's id.</param>
/// <param name="Label">How people call it.</param>
/// <param name="Average">The average of the accounts' scores for it; null when none had one.</param>
/// <param name="Accounts">How many of the accounts had a score for the dimension.</param>
/// <param name="TeamAverage">The same average over all active scored accounts.</param>
public sealed record DimensionAverage(string Id, string Label, double? Average, int Accounts, double? TeamAverage)
{
    /// <summary>The average minus the team's, when both are known.</summary>
    public double? Difference => Average - TeamAverage;
}

/// <summary>
/// The health of one CSM's book (the active accounts they own; <see cref="Owner"/> null for accounts without an
/// owner) and their tasks (by assignee).
/// </summary>
/// <param name="Owner">The owner, and the assignee of the tasks; null gathers the accounts without an owner and the tasks without an assignee.</param>
/// <param name="Accounts">How many active accounts the book holds.</param>
/// <param name="Scored">How many of them have a current score.</param>
/// <param name="Arr">The book's ARR.</param>
/// <param name="AverageScore">The average of the current scores; null when none is scored.</param>
/// <param name="ByGrade">How many accounts are in each grade, by grade id.</param>
/// <param name="Change">The average change of the book's scores over the last 90 days, over the accounts scored both now and then.</param>
/// <param name="Compared">How many accounts <see cref="Change"/> is the average of.</param>
/// <param name="OpenTasks">How many of the tasks assigned to them are not done.</param>
/// <param name="OverdueTasks">How many of those were due before today.</param>
/// <param name="Dimensions">Each dimension's average over the book, beside the team's.</param>
public sealed record TeamMember(
    string? Owner, int Accounts, int Scored, double Arr, double? AverageScore, IReadOnlyDictionary<string, int> ByGrade, double? Change, int Compared,
    int OpenTasks, int OverdueTasks, IReadOnlyList<DimensionAverage> Dimensions);

/// <summary>Every CSM's book, and the team's dimension averages (over all active scored accounts).</summary>
public sealed record Team(IReadOnlyList<TeamMember> Members, IReadOnlyList<DimensionAverage> Dimensions, int ChangeDays);

/// <summary>
/// The Team page's figures in two queries: the tasks by assignee, and one pass over the active accounts with their
/// latest snapshot, which gives both each book's figures and, from the snapshots' details, the dimension averages.
/// </summary>
public sealed class TeamReader(StoreDb db, ModelVersions models)
{
    public const int ChangeDays = 90;

    /// <summary>One owner's book as the pass adds it up.</summary>
    private sealed class Book
    {
        public int Accounts, Scored, Compared;
        public double Arr, ScoreSum, ChangeSum;
        public readonly Dictionary<string, int> Grades = [];
        public double[] DimensionSum = [];
        public int[] DimensionCount = [];

        public void AddDimension(int d, double score)
        {
            if (DimensionSum.Length <= d)
            {
                Array.Resize(ref DimensionSum, d + 1);
                Array.Resize(ref DimensionCount, d + 1);
            }
            DimensionSum[d] += score;
            DimensionCount[d]++;
        }

        public double? Average(int d) => d < DimensionCount.Length && DimensionCount[d] > 0 ? DimensionSum[d] / DimensionCount[d] : null;

        public int Count(int d) => d < DimensionCount.Length ? DimensionCount[d] : 0;
    }

    /// <summary>
    /// Every owner's book (accounts without an owner under null) and every assignee's tasks as of <paramref name="today"/>.
    /// A dimension's score is what the explanation shows (its measures' contributions over their effective weights);
    /// snapshots of older model versions count under the dimension of the same id.
    /// </summary>
    public Team Read(DateOnly today)
    {
        var dims = new List<(string Id, string Label)>();
        if (models.Current() is { } current)
        {
            dims.AddRange(models.ModelOf(current.VersionId).Dimensions.Select(d => (d.Id, d.Label)));
        }
        var plans = new Dictionary<string, (ScoringPlan Plan, int[] Dimension)>();
        var team = new Book();
        var books = new Dictionary<string, Book>();
        var weight = Array.Empty<double>();
        var contribution = Array.Empty<double>();
        var rows = db.Connection.Query<(string? Owner, string? Grade, double? Arr, double? Score, double? Change, string? ModelVersion, byte[]? Detail)>(
            $"""
            SELECT a.owner, c.grade, a.arr, c.score,
                   c.score - (SELECT p.score FROM snapshots p WHERE p.account_key = a.account_key AND p.as_of <= @then ORDER BY p.as_of DESC LIMIT 1),
                   s.model_version, s.detail
            FROM accounts a
            LEFT JOIN current_scores c ON c.account_key = a.account_key
            LEFT JOIN snapshots s ON s.account_key = c.account_key AND s.as_of = c.as_of
            WHERE {PortfolioTrends.Active}
            """, new { then = StoredDates.Text(today.AddDays(-ChangeDays)) }, buffered: false);
        foreach (var r in rows)
        {
            var key = string.IsNullOrEmpty(r.Owner) ? "" : r.Owner;
            if (!books.TryGetValue(key, out var book))
            {
                books[key] = book = new Book();
            }
            book.Accounts++;
            book.Arr += r.Arr ?? 0;
            if (r.Score is not { } score)
            {
                continue;
            }
            book.Scored++;
            book.ScoreSum += score;
            if (r.Grade is not null)
            {
                book.Grades[r.Grade] = book.Grades.GetValueOrDefault(r.Grade) + 1;
            }
            if (r.Change is { } change)
            {
                book.Compared++;
                book.ChangeSum += change;
            }
            if (r.ModelVersion is null || r.Detail is null)
            {
                continue;
            }
            if (!plans.TryGetValue(r.ModelVersion, out var p))
            {
                var plan = models.PlanOf(r.ModelVersion);
                var map = plan.Model.Dimensions.Select(d =>
                {
                    var i = dims.FindIndex(x => x.Id == d.Id);
                    if (i < 0)
                    {
                        dims.Add((d.Id, d.Label));
                        i = dims.Count - 1;
                    }
                    return i;
                }).ToArray();
                plans[r.ModelVersion] = p = (plan, map);
            }
            var measures = SnapshotCodec.Decode(r.Detail);
            if (measures.Length != p.Plan.Measures.Length)
            {
                continue;
            }
            if (weight.Length < dims.Count)
            {
                weight = new double[dims.Count];
                contribution = new double[dims.Count];
            }
            Array.Clear(weight);
            Array.Clear(contribution);
            for (var j = 0; j < measures.Length; j++)
            {
                var d = p.Dimension[p.Plan.MeasureDimension[j]];
                weight[d] += measures[j].EffectiveWeight;
                contribution[d] += measures[j].Contribution;
            }
            for (var d = 0; d < dims.Count; d++)
            {
                if (weight[d] > 0)
                {
                    book.AddDimension(d, contribution[d] / weight[d]);
                    team.AddDimension(d, contribution[d] / weight[d]);
                }
            }
        }

        var tasks = db.Connection.Query<(string? Assignee, int Open, int Overdue)>(
                "SELECT assignee, COUNT(*), SUM(CASE WHEN due_on < @today THEN 1 ELSE 0 END) FROM tasks WHERE status <> 'done' GROUP BY assignee",
                new { today = StoredDates.Text(today) })
            .ToList();
        var teamDimensions = dims.Select((x, d) => new DimensionAverage(x.Id, x.Label, team.Average(d), team.Count(d), team.Average(d))).ToList();
        var owners = books.Keys.Concat(tasks.Select(t => t.Assignee ?? "")).Distinct().ToList();
        var members = owners.Select(owner =>
            {
                var book = books.GetValueOrDefault(owner) ?? new Book();
                var (_, open, overdue) = tasks.FirstOrDefault(t => (t.Assignee ?? "") == owner);
                return new TeamMember(owner == "" ? null : owner, book.Accounts, book.Scored, book.Arr, book.Scored > 0 ? book.ScoreSum / book.Scored : null,
                    book.Grades, book.Compared > 0 ? book.ChangeSum / book.Compared : null, book.Compared, open, overdue,
                    dims.Select((x, d) => new DimensionAverage(x.Id, x.Label, book.Average(d), book.Count(d), team.Average(d))).ToList());
            })
            .OrderBy(m => m.Owner is null).ThenBy(m => m.Owner, StringComparer.OrdinalIgnoreCase)
            .ToList();
        return new Team(members, teamDimensions, ChangeDays);
    }
}
