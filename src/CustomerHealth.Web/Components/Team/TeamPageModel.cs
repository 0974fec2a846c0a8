using System.Globalization;
using CustomerHealth.Store.Reading;

namespace CustomerHealth.Web.Components.Team;

/// <summary>
/// The Team page (Pages/TeamPage.razor) apart from its markup: each CSM's book next to the team's, or the one CSM the
/// address asks for (`owner`) with their lowest-scored accounts; which dimensions are a CSM's strengths or areas to
/// coach (<see cref="Margin"/> points or more from the team's average), and the chart and words that show them.
/// </summary>
internal sealed class TeamPageModel(TeamReader teams, AccountReader accounts, DateOnly today, string? owner)
{
    /// <summary>How far from the team's average a dimension is a strength or an area to coach, in points.</summary>
    public const double Margin = 5;

    /// <summary>How many of a CSM's lowest-scored accounts are listed.</summary>
    public const int Lowest = 10;

    public Store.Reading.Team Book { get; private set; } = new([], [], TeamReader.ChangeDays);

    /// <summary>The CSM asked for, or null (the whole team, or nobody by that name).</summary>
    public TeamMember? Member { get; private set; }

    /// <summary>The asked-for CSM's lowest-scored accounts, lowest first.</summary>
    public IReadOnlyList<AccountRow> LowestAccounts { get; private set; } = [];

    /// <summary>The CSMs the form offers: every member with an owner's name.</summary>
    public IEnumerable<TeamMember> Owners => Book.Members.Where(m => m.Owner is not null);

    /// <summary>The members with a scored account, who have a line in the dimensions table.</summary>
    public IEnumerable<TeamMember> ScoredMembers => Book.Members.Where(m => m.Scored > 0);

    /// <summary>The team's average score: each CSM's average weighed by their scored accounts.</summary>
    public double? TeamAverage
    {
        get
        {
            var scored = Book.Members.Sum(m => m.Scored);
            return scored > 0 ? Book.Members.Sum(m => (m.AverageScore ?? 0) * m.Scored) / scored : null;
        }
    }

    public void Load()
    {
        Book = teams.Read(today);
        // The owner asked for in any case, as the Alerts and Today pages read it; the accounts are then listed by the stored name.
        Member = string.IsNullOrEmpty(owner) ? null : Book.Members.FirstOrDefault(m => string.Equals(m.Owner, owner, StringComparison.OrdinalIgnoreCase));
        if (Member is not null)
        {
            LowestAccounts = accounts.List(new AccountQuery(Owner: Member.Owner, Sort: "score", Limit: Lowest))
                .Where(a => a.Score is not null).ToList();
        }
    }

    /// <summary>A CSM's dimensions at least <see cref="Margin"/> points above the team, the furthest first.</summary>
    public static IReadOnlyList<DimensionAverage> Strengths(TeamMember m) =>
        m.Dimensions.Where(d => d.Difference >= Margin).OrderByDescending(d => d.Difference).ToList();

    /// <summary>A CSM's dimensions at least <see cref="Margin"/> points below the team, the furthest first.</summary>
    public static IReadOnlyList<DimensionAverage> Coach(TeamMember m) =>
        m.Dimensions.Where(d => d.Difference <= -Margin).OrderBy(d => d.Difference).ToList();

    /// <summary>A difference with its sign and unit: "+6.0 points"; nothing without one.</summary>
    public static string Points(double? difference) =>
        difference is null ? "" : Dashboard.Signed(difference) + " points";

    public static string CellClass(DimensionAverage d) =>
        d.Difference >= Margin ? "dimension-strength" : d.Difference <= -Margin ? "dimension-coach" : "";

    public static string Marker(DimensionAverage d) =>
        d.Difference >= Margin ? " ▲" : d.Difference <= -Margin ? " ▼" : "";

    public static string CellTitle(DimensionAverage d) =>
        d.Average is null ? "no scores for this dimension"
            : $"{Points(d.Difference)} against the team ({d.Accounts.ToString("N0", CultureInfo.InvariantCulture)} accounts)"
              + (d.Difference >= Margin ? ": a strength" : d.Difference <= -Margin ? ": an area to coach" : "");

    public static object DimensionChart(TeamMember m) => new
    {
        tooltip = new { trigger = "axis" },
        legend = new { top = 0 },
        grid = new { left = 160, right = 30, top = 30, bottom = 20 },
        xAxis = new { type = "value", min = 0, max = 100 },
        yAxis = new { type = "category", inverse = true, data = m.Dimensions.Select(d => d.Label).ToArray() },
        series = new object[]
        {
            new { name = "This CSM", type = "bar", itemStyle = new { color = "#0d6efd" }, data = m.Dimensions.Select(d => d.Average is { } a ? (object)Math.Round(a, 1) : null).ToArray() },
            new { name = "Team", type = "bar", itemStyle = new { color = "#adb5bd" }, data = m.Dimensions.Select(d => d.TeamAverage is { } a ? (object)Math.Round(a, 1) : null).ToArray() },
        },
    };

    public static string DimensionDescription(TeamMember m) =>
        "Average dimension scores of this CSM's accounts against the team: "
        + string.Join("; ", m.Dimensions.Select(d => $"{d.Label} {Dashboard.Score(d.Average)} against {Dashboard.Score(d.TeamAverage)}")) + ".";
}
