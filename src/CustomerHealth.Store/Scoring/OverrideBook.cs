using System.Globalization;
using CustomerHealth.Core.Scoring;
using CustomerHealth.Store.Models;
using Dapper;

namespace CustomerHealth.Store.Scoring;

/// <summary>People's overrides of an account's score or grade, with a reason and an end date (SPEC §4.5).</summary>
public sealed class OverrideBook(StoreDb db, ModelVersions models, TimeProvider clock)
{
    /// <summary>Records an override from today until <paramref name="until"/> and applies it to the current snapshot.</summary>
    public void Add(string accountId, double? score, string? grade, string reason, DateOnly until)
    {
        var model = models.RequireCurrent().Model;
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        if (Grading.OverrideRefusal(model, score, grade, reason, until, today) is { } refusal)
        {
            throw new StoreException(refusal);
        }
        var key = db.Connection.ExecuteScalar<long?>("SELECT account_key FROM accounts WHERE account_id = @accountId", new { accountId })
            ?? throw new StoreException($"no account `{accountId}`");
        using var turn = db.WriteTurn();
        using var tx = db.Connection.BeginTransaction();
        db.Connection.Execute(
            "INSERT INTO overrides (account_key, score, grade, reason, starts_on, until, created_at) VALUES (@key, @score, @grade, @reason, @starts, @until, @at)",
            new { key, score, grade, reason, starts = StoredDates.Text(today), until = StoredDates.Text(until), at = clock.GetUtcNow().ToString("o", CultureInfo.InvariantCulture) }, tx);
        var finalGrade = Grading.OverrideGrade(model, score, grade);
        db.Connection.Execute(
            """
            UPDATE snapshots SET score = COALESCE(@score, computed_score), grade = @grade, override_reason = @reason
            WHERE account_key = @key AND as_of = (SELECT MAX(as_of) FROM snapshots WHERE account_key = @key)
            """, new { key, score, grade = finalGrade, reason }, tx);
        tx.Commit();
        CurrentScores.RefreshAccount(db, key, model.TrendDays);
    }

    /// <summary>Every override recorded, in the order given (<see cref="Grading.InForce"/> picks those in force on a day).</summary>
    internal static IReadOnlyList<ScoreOverride> All(StoreDb db) =>
        db.Connection.Query<(long AccountKey, double? Score, string? Grade, string Reason, string StartsOn, string Until)>(
            "SELECT account_key, score, grade, reason, starts_on, until FROM overrides ORDER BY id")
        .Select(o => new ScoreOverride((int)o.AccountKey, o.Score, o.Grade, o.Reason, StoredDates.DayNumber(o.StartsOn), StoredDates.DayNumber(o.Until)))
        .ToList();
}
