using System.Runtime;

namespace CustomerHealth.Cli;

/// <summary>
/// What a command compiled as it started, kept from one run to the next (.NET's multicore JIT): a command run again
/// has the methods it needed compiled ahead on a spare core while it opens its store and reads its model, instead of
/// one by one as it reaches them. One small file a command in the user's cache folder
/// (<c>$XDG_CACHE_HOME/chs/startup</c>, else <c>~/.cache/chs/startup</c>); without a writable folder, nothing is kept.
/// </summary>
internal static class StartupProfile
{
    /// <summary>Starts recording, and compiling what the last run of the same command recorded, before the command runs.</summary>
    public static void Start(string[] args)
    {
        if (Command(args) is not { } command || Folder() is not { } folder)
        {
            return;
        }
        try
        {
            Directory.CreateDirectory(folder);
            ProfileOptimization.SetProfileRoot(folder);
            ProfileOptimization.StartProfile(command + ".jit");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No folder to keep it in: the command runs as it would without it.
        }
    }

    /// <summary>The command's name: the first word that is neither a root option nor the store <c>--db</c> names; null for none or an unknown word.</summary>
    internal static string? Command(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--db")
            {
                i++;
                continue;
            }
            if (args[i].StartsWith('-'))
            {
                continue;
            }
            return args[i].Length is > 0 and <= 32 && args[i].All(char.IsAsciiLetterLower) ? args[i] : null;
        }
        return null;
    }

    private static string? Folder()
    {
        var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg && Path.IsPathFullyQualified(xdg)
            ? xdg
            : Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home && Path.IsPathFullyQualified(home) ? Path.Combine(home, ".cache") : null;
        return cache is null ? null : Path.Combine(cache, "chs", "startup");
    }
}
