using System.Text.Json;
using System.Text.RegularExpressions;

namespace CustomerHealth.Cli.Tests.Docs;

/// <summary>
/// Whether what a command printed has the shape a doc shows under it. The figures in a doc are from one day's run, so
/// they are not compared; what is: JSON keys (when the doc shows JSON), every table header's columns (a line of three or
/// more columns apart by two or more spaces, none with a digit, that starts a table), and the first words of every
/// other line shown (up to two words before the first with a digit in it; a line starting with a figure or an id has
/// none). `...` stands for lines left out.
/// </summary>
internal static partial class OutputShape
{
    [GeneratedRegex(@"\s{2,}")]
    private static partial Regex ColumnGap();

    [GeneratedRegex(@"""([A-Za-z_][A-Za-z0-9_]*)""\s*:")]
    private static partial Regex JsonKey();

    /// <summary>What does not match, one line each; empty when the output has the shape shown.</summary>
    public static List<string> Mismatches(IReadOnlyList<string> shown, string stdout, string stderr)
    {
        var problems = new List<string>();
        var lines = shown.Where(l => l.Trim().Length > 0 && !l.Trim().StartsWith("...", StringComparison.Ordinal)).ToList();
        if (lines.Count == 0)
        {
            return problems;
        }
        var first = lines[0].TrimStart();
        if (first.StartsWith('{') || first.StartsWith('['))
        {
            HashSet<string> keys;
            try
            {
                keys = [];
                Collect(JsonDocument.Parse(stdout).RootElement, keys);
            }
            catch (JsonException e)
            {
                problems.Add($"JSON is shown but the output is not JSON ({e.Message}): {Clip(stdout)}");
                return problems;
            }
            foreach (var key in lines.SelectMany(l => JsonKey().Matches(l).Select(m => m.Groups[1].Value)).Distinct())
            {
                if (!keys.Contains(key))
                {
                    problems.Add($"JSON key \"{key}\" is shown but not in the output: {Clip(stdout)}");
                }
            }
            return problems;
        }
        var actual = (stdout + "\n" + stderr).ReplaceLineEndings("\n").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        var previousWasTable = false;
        foreach (var line in shown)
        {
            var trimmed = line.Trim();
            var columns = ColumnGap().Split(trimmed);
            var isTable = columns.Length >= 3;
            if (trimmed.Length == 0 || trimmed.StartsWith("...", StringComparison.Ordinal))
            {
                previousWasTable = false;
                continue;
            }
            if (isTable)
            {
                if (!previousWasTable && columns.All(c => !c.Any(char.IsDigit)) &&
                    !actual.Any(a => ColumnGap().Split(a).SequenceEqual(columns)))
                {
                    problems.Add($"no table with the columns shown: {string.Join(" | ", columns)}");
                }
                previousWasTable = true;
                continue;
            }
            previousWasTable = false;
            var words = FirstWords(trimmed);
            if (words.Length > 0 && !actual.Any(a => a.StartsWith(words, StringComparison.Ordinal)))
            {
                problems.Add($"no line starts with \"{words}\" (shown: {trimmed})");
            }
        }
        if (problems.Count > 0)
        {
            problems.Add("the output was:\n" + Clip(stdout + stderr));
        }
        return problems;
    }

    /// <summary>Up to two words from the start, stopping before the first word with a digit in it.</summary>
    public static string FirstWords(string line)
    {
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).TakeWhile(w => !w.Any(char.IsDigit)).Take(2).ToList();
        return words.Any(w => w.Any(char.IsLetter)) ? string.Join(' ', words) : "";
    }

    private static void Collect(JsonElement e, HashSet<string> keys)
    {
        if (e.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in e.EnumerateObject())
            {
                keys.Add(p.Name);
                Collect(p.Value, keys);
            }
        }
        else if (e.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in e.EnumerateArray())
            {
                Collect(item, keys);
            }
        }
    }

    private static string Clip(string s) => s.Length <= 2000 ? s : s[..2000] + " ...";
}
