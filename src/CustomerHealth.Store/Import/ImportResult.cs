namespace CustomerHealth.Store.Import;

/// <summary>A rejected row: where it is and why.</summary>
public sealed record ImportError(string File, int Line, string Field, string Reason)
{
    public override string ToString() => $"{File}:{Line}: {Field}: {Reason}";
}

/// <summary>What one file's import did.</summary>
public sealed record ImportResult(string Kind, string File, int Rows, int Changed, int Unchanged, int Rejected, bool Applied, IReadOnlyList<ImportError> Errors, int ErrorCount, string? RejectedFile);

/// <param name="MaxListedErrors">How many errors the result lists; all are counted.</param>
public sealed record ImportOptions(bool SkipInvalid = false, IProgress<double>? Progress = null, int MaxListedErrors = 100);
