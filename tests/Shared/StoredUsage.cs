using System.Data.Common;
using CustomerHealth.Store.Engines;

namespace CustomerHealth.Tests;

/// <summary>An account's day and event as a usage block stores it: its events, the sum of their values, its users with their numbers of events.</summary>
internal sealed record UsageCell(long Account, int Day, long Event, long Count, double Sum, (long User, long N)[] Users);

/// <summary>The usage as stored, read whole through the blocks' own reader (<see cref="UsageBlocks.CellReader"/>), for tests to look at.</summary>
internal static class StoredUsage
{
    /// <summary>Every stored cell, in account, day and event order.</summary>
    public static List<UsageCell> Cells(DbConnection c)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT {UsageBlocks.Columns} FROM usage_blocks ORDER BY account_key, block";
        using var r = cmd.ExecuteReader();
        var cells = new List<UsageCell>();
        while (r.Read())
        {
            cells.AddRange(Decode(r.GetInt64(0), r.GetInt32(1), (byte[])r.GetValue(2)));
        }
        return cells;
    }

    /// <summary>The cells of an account's block.</summary>
    public static List<UsageCell> Decode(long account, int block, ReadOnlySpan<byte> cells)
    {
        var decoded = new List<UsageCell>();
        var reader = new UsageBlocks.CellReader(cells, UsageBlocks.FirstDay(block));
        while (reader.Next())
        {
            var users = new List<(long User, long N)>();
            var u = reader.Users();
            while (u.Next())
            {
                users.Add((u.User, u.N));
            }
            decoded.Add(new UsageCell(account, reader.Day, reader.Event, reader.Count, reader.Sum, [.. users]));
        }
        return decoded;
    }
}
