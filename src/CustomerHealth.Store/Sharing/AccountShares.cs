using System.Globalization;

namespace CustomerHealth.Store.Sharing;

/// <summary>
/// The accounts a server works on live: the accounts fall into <see cref="Count"/> shares by their key, and of several
/// `chs serve` on one store each holds some of the shares (<see cref="ShareKeeper"/>), so that no account is rescored
/// or alerted by two of them. A server alone on its store (and every command) holds them all.
/// </summary>
public sealed class AccountShares
{
    /// <summary>How many shares the accounts fall into.</summary>
    public const int Count = 64;

    private readonly bool[] held = new bool[Count];

    public AccountShares(IEnumerable<int> shares)
    {
        foreach (var s in shares)
        {
            held[s] = true;
        }
        List = [.. Enumerable.Range(0, Count).Where(s => held[s])];
    }

    /// <summary>Every share: the work of a server alone on its store.</summary>
    public static AccountShares All { get; } = new(Enumerable.Range(0, Count));

    /// <summary>No share: a server that has none yet (or lost its connection to the store) works on no account.</summary>
    public static AccountShares None { get; } = new([]);

    /// <summary>The shares held, in order.</summary>
    public IReadOnlyList<int> List { get; }

    public bool IsAll => List.Count == Count;

    /// <summary>The share an account falls into.</summary>
    public static int Of(long accountKey) => (int)(accountKey % Count);

    public bool Holds(long accountKey) => held[Of(accountKey)];

    /// <summary>A SQL condition true for the accounts of these shares, over an account-key column.</summary>
    public string Where(string column) =>
        IsAll ? "1 = 1" : List.Count == 0 ? "1 = 0" : $"({column} % {Count}) IN ({string.Join(", ", List.Select(s => s.ToString(CultureInfo.InvariantCulture)))})";

    /// <summary>The shares as people read them: "all", "none", or a list of ranges such as 0–21, 40.</summary>
    public override string ToString()
    {
        if (IsAll)
        {
            return "all";
        }
        if (List.Count == 0)
        {
            return "none";
        }
        var ranges = new List<string>();
        for (var i = 0; i < List.Count;)
        {
            var j = i;
            while (j + 1 < List.Count && List[j + 1] == List[j] + 1)
            {
                j++;
            }
            ranges.Add(i == j ? $"{List[i]}" : $"{List[i]}-{List[j]}");
            i = j + 1;
        }
        return string.Join(", ", ranges);
    }
}
