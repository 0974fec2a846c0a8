using Dapper;

namespace CustomerHealth.Store.Reading;

/// <summary>
/// The responses of one survey kind in a group (a month `yyyy-MM`, or a segment; null for "not set"). Scales are the
/// import's (SPEC §3): NPS 0–10, CSAT 1–5, CES 1–7. <see cref="Positive"/> counts what the model's `positive_share`
/// counts: NPS promoters (9–10), satisfied CSAT (4–5) and easy CES (5–7); <see cref="Detractors"/> counts NPS 0–6.
/// </summary>
public sealed record SurveyStats(string? Group, string Kind, int Responses, double Average, int Positive, int Detractors)
{
    /// <summary>Net Promoter Score (−100..100): % promoters − % detractors; null for other kinds.</summary>
    public double? Nps => Kind == "nps" && Responses > 0 ? 100.0 * (Positive - Detractors) / Responses : null;

    /// <summary>The share of positive answers (0–1).</summary>
    public double PositiveShare => Responses > 0 ? (double)Positive / Responses : 0;
}

/// <summary>A survey answer with its comment.</summary>
public sealed record SurveyComment(string AccountId, string? AccountName, string Kind, double Score, string RespondedAt, string Comment);

/// <summary>The Surveys page's figures: NPS, CSAT and CES by month and by segment, and the latest comments.</summary>
public sealed class SurveyReader(StoreDb db)
{
    public static readonly IReadOnlyList<string> Kinds = ["nps", "csat", "ces"];

    private const string Stats =
        """
        COUNT(*), AVG(s.score),
        SUM(CASE WHEN (s.kind = 'nps' AND s.score >= 9) OR (s.kind = 'csat' AND s.score >= 4) OR (s.kind = 'ces' AND s.score >= 5) THEN 1 ELSE 0 END),
        SUM(CASE WHEN s.kind = 'nps' AND s.score <= 6 THEN 1 ELSE 0 END)
        """;

    /// <summary>Each kind per calendar month of the answer (UTC), from <paramref name="since"/> on, oldest first.</summary>
    public IReadOnlyList<SurveyStats> Monthly(DateOnly since) =>
        Map(db.Connection.Query<(string? Group, string Kind, int Responses, double Average, int Positive, int Detractors)>(
            $"""
            SELECT substr(s.responded_at, 1, 7), s.kind, {Stats}
            FROM surveys s WHERE s.responded_at >= @since
            GROUP BY substr(s.responded_at, 1, 7), s.kind ORDER BY 1, 2
            """, new { since = StoredDates.Text(since) }));

    /// <summary>Each kind per account segment (of every account, churned ones too: they answered), for answers from <paramref name="since"/> on.</summary>
    public IReadOnlyList<SurveyStats> BySegment(DateOnly since) =>
        Map(db.Connection.Query<(string? Group, string Kind, int Responses, double Average, int Positive, int Detractors)>(
            $"""
            SELECT CASE WHEN a.segment = '' THEN NULL ELSE a.segment END, s.kind, {Stats}
            FROM surveys s JOIN accounts a ON a.account_key = s.account_key WHERE s.responded_at >= @since
            GROUP BY CASE WHEN a.segment = '' THEN NULL ELSE a.segment END, s.kind
            """, new { since = StoredDates.Text(since) }))
            .OrderBy(x => x.Group is null).ThenBy(x => x.Group, StringComparer.Ordinal).ThenBy(x => x.Kind, StringComparer.Ordinal).ToList();

    /// <summary>The latest answers with a comment, newest first; of one kind when given.</summary>
    public IReadOnlyList<SurveyComment> Comments(string? kind = null, int limit = 50) =>
        db.Connection.Query<(string AccountId, string? Name, string Kind, double Score, string RespondedAt, string Comment)>(
                """
                SELECT a.account_id, a.name, s.kind, s.score, s.responded_at, s.comment
                FROM surveys s JOIN accounts a ON a.account_key = s.account_key
                WHERE s.comment IS NOT NULL AND s.comment <> '' AND (@kind IS NULL OR s.kind = @kind)
                ORDER BY s.responded_at DESC, a.account_id
                LIMIT @limit
                """, new { kind, limit })
            .Select(r => new SurveyComment(r.AccountId, r.Name, r.Kind, r.Score, r.RespondedAt, r.Comment)).ToList();

    private static List<SurveyStats> Map(IEnumerable<(string? Group, string Kind, int Responses, double Average, int Positive, int Detractors)> rows) =>
        rows.Select(r => new SurveyStats(r.Group, r.Kind, r.Responses, r.Average, r.Positive, r.Detractors)).ToList();
}
