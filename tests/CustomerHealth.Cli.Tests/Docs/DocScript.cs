using System.Text.RegularExpressions;

namespace CustomerHealth.Cli.Tests.Docs;

/// <summary>One command shown in a doc, where it is shown, and the output shown under it (for a `$ ` line).</summary>
internal sealed record DocCommand(string File, int Line, string Text, IReadOnlyList<string> ShownOutput)
{
    public string Where => $"{File}:{Line}";

    /// <summary>`chs serve` (also behind `env VAR=...`): runs until stopped, so it is started beside the others.</summary>
    public bool Serves => Regex.IsMatch(Text, @"(^|\s)chs\s+serve(\s|$)");

    /// <summary>The exit code the doc says (a trailing `# exits with N`), else 0.</summary>
    public int ExpectedExitCode => Regex.Match(Text, @"#\s*exits with (\d+)\s*$") is { Success: true } m ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
}

/// <summary>
/// What a doc asks to be run, in order: every ```bash block and every unlabelled block of `$ ` lines (a command and
/// the output it prints). Other blocks are files or sample output. A comment right before a block tells the test
/// about it, as its prose tells a reader:
/// <c>&lt;!-- docs-test: skip: REASON --&gt;</c> (not run, with why), <c>&lt;!-- docs-test: new store --&gt;</c> (the
/// commands from here on use a new, empty store, as the prose says), <c>&lt;!-- docs-test: file NAME --&gt;</c> (the
/// block is a file the commands after it use: written to NAME in the current folder) and
/// <c>&lt;!-- docs-test: from the repository root --&gt;</c> (the block runs where the repository is, as the prose says).
/// </summary>
internal sealed partial class DocScript
{
    public sealed record Step(string File, int Line, StepKind Kind, IReadOnlyList<DocCommand> Commands, string? FileName = null, string? FileText = null);

    public enum StepKind
    {
        Commands,
        NewStore,
        WriteFile,
        FromRepositoryRoot,
    }

    public required string File { get; init; }

    public required IReadOnlyList<Step> Steps { get; init; }

    /// <summary>The blocks not run, each with its reason (`skip:`), for the record.</summary>
    public required IReadOnlyList<(int Line, string Reason)> Skipped { get; init; }

    [GeneratedRegex(@"^<!--\s*docs-test:\s*(.+?)\s*-->\s*$")]
    private static partial Regex Directive();

    /// <summary>A first word that makes an unlabelled block a command a reader would run.</summary>
    [GeneratedRegex(@"^(chs|curl|dotnet|export|cd|mkdir|env|/usr/bin/python3|python3|scripts/)\b")]
    private static partial Regex CommandStart();

    public static DocScript Parse(string file, string text)
    {
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        var steps = new List<Step>();
        var skipped = new List<(int, string)>();
        var pending = new List<(int Line, string Directive)>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (Directive().Match(line) is { Success: true } d)
            {
                pending.Add((i + 1, d.Groups[1].Value));
                continue;
            }
            if (!line.StartsWith("```", StringComparison.Ordinal))
            {
                if (line.Trim().Length > 0)
                {
                    pending.Clear(); // a directive belongs to the block right after it
                }
                continue;
            }
            var info = line[3..].Trim();
            var start = i + 1;
            var body = new List<string>();
            for (i++; i < lines.Length && !lines[i].StartsWith("```", StringComparison.Ordinal); i++)
            {
                body.Add(lines[i]);
            }
            if (i >= lines.Length)
            {
                throw new FormatException($"{file}:{start}: a code block that is never closed");
            }
            var skip = false;
            string? fileName = null;
            foreach (var (at, directive) in pending)
            {
                if (directive.StartsWith("skip:", StringComparison.Ordinal))
                {
                    var reason = directive[5..].Trim();
                    if (reason.Length == 0)
                    {
                        throw new FormatException($"{file}:{at}: `docs-test: skip:` needs a reason");
                    }
                    skipped.Add((start, reason));
                    skip = true;
                }
                else if (directive == "new store")
                {
                    steps.Add(new Step(file, at, StepKind.NewStore, []));
                }
                else if (directive == "from the repository root")
                {
                    steps.Add(new Step(file, at, StepKind.FromRepositoryRoot, []));
                }
                else if (directive.StartsWith("file ", StringComparison.Ordinal))
                {
                    fileName = directive[5..].Trim();
                }
                else
                {
                    throw new FormatException($"{file}:{at}: unknown docs-test directive `{directive}`");
                }
            }
            pending.Clear();
            if (skip)
            {
                continue;
            }
            if (fileName is not null)
            {
                steps.Add(new Step(file, start, StepKind.WriteFile, [], fileName, string.Join('\n', body) + "\n"));
                continue;
            }
            var commands = info switch
            {
                "bash" or "sh" => BashCommands(file, start, body),
                "" when body.Any(l => l.StartsWith("$ ", StringComparison.Ordinal)) => Transcript(file, start, body),
                "" when body.FirstOrDefault(l => l.Trim().Length > 0) is { } first && CommandStart().IsMatch(first.Trim()) =>
                    throw new FormatException($"{file}:{start}: a block of commands must be marked ```bash (or be `$ ` lines with their output), or say why it is not run"),
                _ => null,
            };
            if (commands is { Count: > 0 })
            {
                steps.Add(new Step(file, start, StepKind.Commands, commands));
            }
        }
        return new DocScript { File = file, Steps = steps, Skipped = skipped };
    }

    /// <summary>Each line a command (a line ending in `\` goes on, as in bash), blank lines and whole-line comments left out.</summary>
    private static List<DocCommand> BashCommands(string file, int start, List<string> body)
    {
        var commands = new List<DocCommand>();
        for (var k = 0; k < body.Count; k++)
        {
            var at = start + k + 1;
            var text = body[k];
            while (text.EndsWith('\\') && k + 1 < body.Count)
            {
                text += "\n" + body[++k];
            }
            if (text.Trim().Length == 0 || text.TrimStart().StartsWith('#'))
            {
                continue;
            }
            commands.Add(new DocCommand(file, at, text, []));
        }
        return commands;
    }

    /// <summary>`$ command` lines, each followed by the output shown for it.</summary>
    private static List<DocCommand> Transcript(string file, int start, List<string> body)
    {
        var commands = new List<DocCommand>();
        for (var k = 0; k < body.Count; k++)
        {
            if (!body[k].StartsWith("$ ", StringComparison.Ordinal))
            {
                if (commands.Count == 0 && body[k].Trim().Length > 0)
                {
                    throw new FormatException($"{file}:{start + k + 1}: output before the first `$ ` command");
                }
                continue;
            }
            var at = start + k + 1;
            var text = body[k][2..];
            var output = new List<string>();
            for (; k + 1 < body.Count && !body[k + 1].StartsWith("$ ", StringComparison.Ordinal); k++)
            {
                output.Add(body[k + 1]);
            }
            commands.Add(new DocCommand(file, at, text, output));
        }
        return commands;
    }
}
