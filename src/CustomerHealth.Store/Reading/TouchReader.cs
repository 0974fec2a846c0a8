using Dapper;

namespace CustomerHealth.Store.Reading;

/// <summary>A note, call, meeting or e-mail on an account, as stored.</summary>
/// <param name="AccountId">The account.</param>
/// <param name="AccountName">Its name.</param>
/// <param name="TouchId">The id the source gave it, if it gave one.</param>
/// <param name="Kind">note, call, meeting or email.</param>
/// <param name="OccurredAt">When it happened, as stored (UTC, ISO 8601).</param>
/// <param name="Author">Who recorded it.</param>
/// <param name="Text">What was written.</param>
public sealed record TouchRow(string AccountId, string? AccountName, string? TouchId, string Kind, string OccurredAt, string? Author, string? Text);

/// <summary>What a touch search asks: words found in the text, the author or the account's name or id (case ignored), and filters.</summary>
/// <param name="Text">Words to find; null or blank for every touch.</param>
/// <param name="AccountId">Only this account's touches.</param>
/// <param name="Kind">Only this kind (note, call, meeting, email).</param>
/// <param name="Limit">At most this many, newest first.</param>
public sealed record TouchSearch(string? Text = null, string? AccountId = null, string? Kind = null, int Limit = 100);

/// <summary>Finds the notes, calls and meetings people recorded, newest first (the Notes page and `GET /api/v1/touches`).</summary>
public sealed class TouchReader(StoreDb db)
{
    /// <summary>The most a search returns at once.</summary>
    public const int MaxLimit = 500;

    /// <summary>The touches that match, newest first; the whole search text must appear in one of the fields.</summary>
    public IReadOnlyList<TouchRow> Search(TouchSearch search)
    {
        var lower = db.Engine.Lower;
        var pattern = string.IsNullOrWhiteSpace(search.Text) ? null : "%" + Escape(search.Text.Trim().ToLowerInvariant()) + "%";
        var sql = $"""
            SELECT a.account_id AS AccountId, a.name AS AccountName, t.touch_id AS TouchId, t.kind AS Kind, t.occurred_at AS OccurredAt, t.author AS Author, t.text AS Text
            FROM touches t JOIN accounts a ON a.account_key = t.account_key
            WHERE (@account IS NULL OR a.account_id = @account) AND (@kind IS NULL OR t.kind = @kind)
              AND (@pattern IS NULL OR {lower("COALESCE(t.text, '')")} LIKE @pattern ESCAPE '\' OR {lower("COALESCE(t.author, '')")} LIKE @pattern ESCAPE '\'
                   OR {lower("COALESCE(a.name, '')")} LIKE @pattern ESCAPE '\' OR {lower("a.account_id")} LIKE @pattern ESCAPE '\')
            ORDER BY t.occurred_at DESC, t.identity
            LIMIT @limit
            """;
        return db.Connection.Query<TouchRow>(sql, new
        {
            account = search.AccountId,
            kind = search.Kind,
            pattern,
            limit = Math.Clamp(search.Limit, 1, MaxLimit),
        }).ToList();
    }

    // The search is for the text as typed: LIKE's wildcards and its escape character match themselves.
    private static string Escape(string text) =>
        text.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal);
}
