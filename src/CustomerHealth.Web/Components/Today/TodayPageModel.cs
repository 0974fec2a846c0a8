using System.Security.Claims;
using CustomerHealth.Store.Reading;
using CustomerHealth.Web.Auth;

namespace CustomerHealth.Web.Components.Today;

/// <summary>
/// The Today page (Pages/TodayPage.razor) apart from its markup: whose day it shows and that day's list. A CSM sees
/// their own book; managers, admins and viewers choose whose, their own first when they have a book.
/// </summary>
internal sealed class TodayPageModel(TeamReader teams, TodayReader days, DateOnly today)
{
    /// <summary>The day's accounts to act on and tasks due, of <see cref="Owner"/>'s book (empty without one).</summary>
    public TodayList List { get; private set; } = new("", [], [], 0);

    /// <summary>Everyone with a book (an owner's name on an account), in alphabetical order.</summary>
    public IReadOnlyList<string> Owners { get; private set; } = [];

    /// <summary>Whose day is shown; null when no account has an owner yet.</summary>
    public string? Owner { get; private set; }

    /// <summary>Whether the person may choose whose day to see (everyone but a CSM).</summary>
    public bool MayChoose { get; private set; }

    /// <summary>Reads whose day the person sees and that day's list.</summary>
    /// <param name="user">The signed-in person.</param>
    /// <param name="asked">The owner the address asks for (`owner`), if any.</param>
    public void Load(ClaimsPrincipal user, string? asked)
    {
        Owners = teams.Read(today).Members.Select(m => m.Owner).OfType<string>().Order(StringComparer.OrdinalIgnoreCase).ToList();
        MayChoose = !Rights.OnlyOwn(user);
        Owner = WhoseDay(Owners, MayChoose, user.Identity?.Name, asked);
        if (Owner is not null)
        {
            List = days.Read(Owner, today);
        }
    }

    /// <summary>
    /// Whose day is shown: a person who may not choose sees their own; one who may sees the owner asked for (any case),
    /// else their own book, else the first owner; null when nobody has a book and the person may choose.
    /// </summary>
    /// <param name="owners">Everyone with a book, in the order offered.</param>
    /// <param name="mayChoose">Whether the person may choose.</param>
    /// <param name="me">The person's name (their e-mail address).</param>
    /// <param name="asked">The owner the address asks for, if any.</param>
    public static string? WhoseDay(IReadOnlyList<string> owners, bool mayChoose, string? me, string? asked) =>
        !mayChoose ? me
            : owners.FirstOrDefault(o => string.Equals(o, asked, StringComparison.OrdinalIgnoreCase))
              ?? owners.FirstOrDefault(o => string.Equals(o, me, StringComparison.OrdinalIgnoreCase)) ?? owners.FirstOrDefault();
}
