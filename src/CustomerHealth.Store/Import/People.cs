using System.Globalization;
using Dapper;

namespace CustomerHealth.Store.Import;

/// <summary>
/// The product's users as Segment-compatible calls describe them: who they are (identify) and which account they
/// belong to (group), so that a track call without a group can still be put on its account.
/// </summary>
public sealed class People(StoreDb db, TimeProvider clock)
{
    /// <summary>Records a user; a null account or traits keeps what was known.</summary>
    public void Save(string userId, string? accountId, string? traitsJson)
    {
        db.Connection.Execute(
            """
            INSERT INTO people (user_id, account_id, traits, updated_at) VALUES (@userId, @accountId, @traitsJson, @now)
            ON CONFLICT (user_id) DO UPDATE SET account_id = COALESCE(excluded.account_id, people.account_id),
                traits = COALESCE(excluded.traits, people.traits), updated_at = excluded.updated_at
            """,
            new { userId, accountId, traitsJson, now = clock.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) });
    }

    /// <summary>The account a user was last grouped with, if any.</summary>
    public string? AccountOf(string userId) =>
        db.Connection.ExecuteScalar<string?>("SELECT account_id FROM people WHERE user_id = @userId", new { userId });
}
