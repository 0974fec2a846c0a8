using System.Text.RegularExpressions;

namespace CustomerHealth.Cli.Tests.Docs;

/// <summary>
/// The docs are executable: every command README.md and docs/*.md show (the ```bash blocks and the `$ ` lines) runs
/// in order, as a newcomer would type it, on a fresh store — an SQLite file, PostgreSQL as a `postgres://` address,
/// PostgreSQL as `Host=...` — and must exit 0 with output of the shape shown. README.md runs first; every other
/// doc starts where the README leaves its reader (chs on the PATH, in the folder of their store).
/// </summary>
public sealed partial class DocsAreExecutableTests
{
    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CustomerHealth.slnx")))
            {
                dir = dir.Parent;
            }
            return dir?.FullName ?? throw new InvalidOperationException("the repository root (CustomerHealth.slnx) is not above the tests");
        }
    }

    [GeneratedRegex(@"\]\((docs/[a-z0-9-]+\.md)\)")]
    private static partial Regex DocLink();

    /// <summary>README.md, then the docs in the order the README links them, then any other doc.</summary>
    public static List<string> Docs()
    {
        var root = RepositoryRoot;
        var linked = DocLink().Matches(File.ReadAllText(Path.Combine(root, "README.md"))).Select(m => m.Groups[1].Value).Distinct().ToList();
        var all = Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Select(f => "docs/" + Path.GetFileName(f)).Order(StringComparer.Ordinal);
        return ["README.md", .. linked.Where(l => File.Exists(Path.Combine(root, l))), .. all.Except(linked)];
    }

    [Theory]
    [InlineData(DocsStore.Sqlite)]
    [InlineData(DocsStore.PostgresUrl)]
    [InlineData(DocsStore.PostgresHost)]
    public async Task EveryCommandInTheDocs_RunsAsWritten(DocsStore store)
    {
        using var session = new DocsSession(RepositoryRoot, store);
        var failures = new List<string>();
        var ran = 0;
        foreach (var doc in Docs())
        {
            var script = DocScript.Parse(doc, await File.ReadAllTextAsync(Path.Combine(RepositoryRoot, doc)));
            if (doc != "README.md")
            {
                session.Restore(session.Saved);
            }
            foreach (var step in script.Steps)
            {
                switch (step.Kind)
                {
                    case DocScript.StepKind.NewStore:
                        session.NewStore();
                        continue;
                    case DocScript.StepKind.FromRepositoryRoot:
                        session.FromRepositoryRoot();
                        continue;
                    case DocScript.StepKind.WriteFile:
                        session.WriteFile(step.FileName!, step.FileText!);
                        continue;
                }
                foreach (var command in step.Commands)
                {
                    ran++;
                    var outcome = await session.Run(command);
                    var problems = new List<string>();
                    if (outcome.ExitCode != command.ExpectedExitCode)
                    {
                        problems.Add($"exit code {outcome.ExitCode}, expected {command.ExpectedExitCode}");
                    }
                    if (problems.Count == 0)
                    {
                        problems.AddRange(OutputShape.Mismatches(command.ShownOutput, outcome.Out, outcome.Err));
                    }
                    if (problems.Count > 0)
                    {
                        failures.Add($"{command.Where}: `{command.Text}` ({store}): {string.Join("; ", problems)}\nstdout:\n{Clip(outcome.Out)}\nstderr:\n{Clip(outcome.Err)}");
                        break; // the commands after a failed one build on it
                    }
                }
                if (failures.Count > 0 && failures[^1].StartsWith(doc + ":", StringComparison.Ordinal))
                {
                    break;
                }
            }
            session.EndDoc();
            if (doc == "README.md")
            {
                session.Saved = session.Save();
            }
        }
        failures.ShouldBeEmpty($"{failures.Count} doc command(s) failed of {ran} run:\n\n" + string.Join("\n\n", failures));
        ran.ShouldBeGreaterThan(20);
    }

    private static string Clip(string s) => s.Length <= 3000 ? s : s[..1500] + "\n...\n" + s[^1500..];

    [Fact]
    public void EveryDoc_Parses_AndEveryBlockNotRunSaysWhy()
    {
        var root = RepositoryRoot;
        var commands = 0;
        foreach (var doc in Docs())
        {
            var script = DocScript.Parse(doc, File.ReadAllText(Path.Combine(root, doc)));
            commands += script.Steps.Sum(s => s.Commands.Count);
            script.Skipped.ShouldAllBe(s => s.Reason.Length > 10);
        }
        commands.ShouldBeGreaterThan(20);
        // The team section of docs/cli.md is among what runs.
        var cli = DocScript.Parse("docs/cli.md", File.ReadAllText(Path.Combine(root, "docs", "cli.md")));
        cli.Steps.SelectMany(s => s.Commands).ShouldContain(c => c.Text.Contains("postgres://", StringComparison.Ordinal));
    }

    [Fact]
    public void AnUnmarkedBlockOfCommands_IsRefused()
    {
        Should.Throw<FormatException>(() => DocScript.Parse("x.md", "text\n\n```\nchs init\n```\n")).Message.ShouldContain("x.md:3");
        Should.Throw<FormatException>(() => DocScript.Parse("x.md", "<!-- docs-test: skip: -->\n```bash\nchs init\n```\n")).Message.ShouldContain("needs a reason");
        Should.Throw<FormatException>(() => DocScript.Parse("x.md", "<!-- docs-test: sometimes -->\n```bash\nchs init\n```\n")).Message.ShouldContain("unknown");
    }

    [Fact]
    public void ATranscript_GivesEachCommandItsOutput()
    {
        var script = DocScript.Parse("x.md", "```\n$ chs init\nCreated the store\n$ chs accounts\n  Account  Name  Score\n```\n\n```bash\nchs a \\\n  --b\n# note\nchs c   # d\n```\n");
        var commands = script.Steps.SelectMany(s => s.Commands).ToList();
        commands.Select(c => c.Text).ShouldBe(["chs init", "chs accounts", "chs a \\\n  --b", "chs c   # d"]);
        commands[0].ShownOutput.ShouldBe(["Created the store"]);
        commands[0].Line.ShouldBe(2);
        commands[2].Line.ShouldBe(9);
    }

    [Fact]
    public void TheShapeCheck_FindsAMissingColumn_AFirstWordAndAJsonKey()
    {
        string[] table = ["  Account     Name     Score   Grade", "  ACC-1       Acme     31.0    red"];
        OutputShape.Mismatches(table, "Account   Name   Score   Grade\nACC-9   Other   50.0   green\n", "").ShouldBeEmpty();
        OutputShape.Mismatches(table, "Account   Name   Score\nACC-9   Other   50.0\n", "").ShouldNotBeEmpty();
        string[] words = ["Created the store chs.db (schema version 14)", "ACC-00201: 31.2 (red)"];
        OutputShape.FirstWords(words[0]).ShouldBe("Created the");
        OutputShape.FirstWords(words[1]).ShouldBe("");
        OutputShape.Mismatches(words, "Created the store PostgreSQL 127.0.0.1:1/x (schema version 14)\n", "").ShouldBeEmpty();
        OutputShape.Mismatches(words, "Made the store\n", "").ShouldNotBeEmpty();
        string[] json = ["""{"accepted":1000,"duplicates":0,"rejected":[]}"""];
        OutputShape.Mismatches(json, """{"accepted":1,"duplicates":0,"rejected":[]}""", "").ShouldBeEmpty();
        OutputShape.Mismatches(json, """{"accepted":1,"rejected":[]}""", "").ShouldNotBeEmpty();
        OutputShape.Mismatches(json, "not json", "").ShouldNotBeEmpty();
        string[] truncated = ["""[{"account_id":"ACC-00155","name":"Wuckert - Mayer","score":24.8,...}]"""];
        OutputShape.Mismatches(truncated, """[{"account_id":"A","name":"B","score":1}]""", "").ShouldBeEmpty();
        OutputShape.Mismatches([], "anything", "").ShouldBeEmpty();
    }
}
