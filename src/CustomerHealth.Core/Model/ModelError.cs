namespace CustomerHealth.Core.Model;

/// <summary>One problem found in a model file, at a 1-based line and column.</summary>
public sealed record ModelError(int Line, int Column, string Message)
{
    public string Format(string file) => $"{file}:{Line}:{Column}: {Message}";
}

/// <summary>Raised when a model is refused; carries every problem found.</summary>
public sealed class ModelInvalidException(string file, IReadOnlyList<ModelError> errors)
    : Exception(string.Join(Environment.NewLine, errors.Select(e => e.Format(file))))
{
    public string File { get; } = file;
    public IReadOnlyList<ModelError> Errors { get; } = errors;
}
