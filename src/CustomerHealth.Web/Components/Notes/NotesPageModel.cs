using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Reading;

namespace CustomerHealth.Web.Components.Notes;

/// <summary>
/// The Notes page (Pages/NotesPage.razor) apart from its markup: the notes, calls, meetings and e-mails that match the
/// words and kind the address asks for (`q`, `kind`), newest first; a kind it does not know is said and ignored.
/// </summary>
internal sealed class NotesPageModel(TouchReader reader, string? q, string? kind)
{
    /// <summary>How many touches the page lists at most.</summary>
    public const int Listed = 200;

    public IReadOnlyList<TouchRow> Found { get; private set; } = [];

    /// <summary>The words searched for, as typed.</summary>
    public string? Query => string.IsNullOrWhiteSpace(q) ? null : q.Trim();

    /// <summary>The kind asked for, when it is one.</summary>
    public string? Kind { get; private set; }

    /// <summary>What was wrong with the address, if anything.</summary>
    public string? Refusal { get; private set; }

    public void Load()
    {
        if (!string.IsNullOrWhiteSpace(kind))
        {
            if (TouchRecord.Kinds.Contains(kind))
            {
                Kind = kind;
            }
            else
            {
                Refusal = $"“{kind}” is not a kind of note: showing every kind.";
            }
        }
        var query = Query;
        if (query is not null && FieldLimits.Problem(query, FieldLimits.Kind.Label) is { } problem)
        {
            Refusal = $"The search {problem}.";
            query = null;
        }
        Found = reader.Search(new TouchSearch(query, Kind: Kind, Limit: Listed));
    }

    /// <summary>How many are listed, in words: “3 notes that match”, “The newest 200”.</summary>
    public string Summary => (Found.Count, Unfiltered) switch
    {
        (Listed, _) => $"The newest {Listed}" + (Unfiltered ? "." : " that match."),
        (1, _) => Unfiltered ? "1 note." : "1 note matches.",
        var (n, all) => all ? $"{n} notes." : $"{n} notes match.",
    };

    /// <summary>Whether the whole list was asked for (no words, no kind): the page then explains how notes are written.</summary>
    public bool Unfiltered => Query is null && Kind is null;
}
