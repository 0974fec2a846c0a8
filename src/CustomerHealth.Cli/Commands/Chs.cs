using System.CommandLine;
using CustomerHealth.Core.Model;
using CustomerHealth.Store;
using Spectre.Console;

namespace CustomerHealth.Cli.Commands;

/// <summary>The `chs` command line: verbs, global options and exit codes (0 success, 1 bad input or failed check, 2 usage).</summary>
internal static class Chs
{
    public static readonly Option<string?> Db = new("--db")
    {
        Description = "The store: a SQLite file path (default $CHS_DB, else ./chs.db) or a PostgreSQL connection",
        Recursive = true,
    };

    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "On an unexpected error, print its full detail (the stack trace) as well as the one-line message",
        Recursive = true,
    };

    public static Option<bool> Json => new("--json") { Description = "Print JSON (snake_case) instead of a table" };

    public static int Run(string[] args, TimeProvider clock)
    {
        if (Console.IsOutputRedirected)
        {
            // Plain text for pipes and files: no colour codes, no wrapping at a guessed width.
            AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Ansi = AnsiSupport.No,
                ColorSystem = ColorSystemSupport.NoColors,
                Interactive = InteractionSupport.No,
                Out = new AnsiConsoleOutput(Console.Out),
            });
            AnsiConsole.Profile.Width = 240;
        }
        var root = new RootCommand("Customer Health: explainable customer health scores from your own data.");
        root.Options.Add(Db);
        root.Options.Add(Verbose);
        var context = new CliContext(clock);
        StoreCommands.Add(root, context);
        ImportCommand.Add(root, context);
        MappingCommands.Add(root, context);
        ModelCommands.Add(root, context);
        ScoreCommands.Add(root, context);
        AccountCommands.Add(root, context);
        DemoCommand.Add(root, context);
        ServeCommand.Add(root, context);
        AccessCommands.Add(root, context);
        BacktestCommand.Add(root, context);
        SuggestCommand.Add(root, context);
        PredictCommands.Add(root, context);
        AlertCommands.Add(root, context);
        DeliverCommands.Add(root, context);
        SourceCommands.Add(root, context);

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors)
            {
                Console.Error.WriteLine("error: " + Secrets.Redact(e.Message));
            }
            Console.Error.WriteLine("Run `chs --help` (or `chs VERB --help`) for usage.");
            return 2;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (ModelInvalidException e)
        {
            Console.Error.WriteLine($"The model is refused ({e.Errors.Count} problem{(e.Errors.Count == 1 ? "" : "s")}):");
            Console.Error.WriteLine(e.Message);
            return 1;
        }
        catch (StoreException e)
        {
            Console.Error.WriteLine("error: " + Secrets.Redact(e.Message));
            return 1;
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine("error: " + Secrets.Redact(e.Message));
            return 2;
        }
        catch (Exception e)
        {
            // Anything else: one line a person can act on; the detail only when asked for.
            Console.Error.WriteLine("error: " + Secrets.Redact(Unexpected(e)));
            if (parse.GetValue(Verbose))
            {
                Console.Error.WriteLine(Secrets.Redact(e.ToString()));
            }
            return 1;
        }
    }

    /// <summary>The one line for an error no verb expected: a full disk said plainly, anything else by its type and message.</summary>
    internal static string Unexpected(Exception e)
    {
        if (StoreDb.IsDiskFull(e))
        {
            return "the disk holding the store is full; what this command was writing was not stored (the store is as it was before); free some space and run it again";
        }
        var inner = e is AggregateException { InnerExceptions.Count: 1 } a ? a.InnerException! : e;
        var message = inner.Message.ReplaceLineEndings(" ").Trim();
        return inner switch
        {
            IOException or UnauthorizedAccessException => message,
            _ => $"unexpected {inner.GetType().Name}: {message} (--verbose shows where)",
        };
    }

    public static string DbPath(ParseResult p) =>
        p.GetValue(Db) is { Length: > 0 } db ? db : Environment.GetEnvironmentVariable("CHS_DB") is { Length: > 0 } env ? env : "chs.db";
}

/// <summary>A mistake in how a verb was called (exit code 2).</summary>
internal sealed class UsageException(string message) : Exception(message);
