using System.Globalization;
using System.Security.Claims;
using CustomerHealth.Core.Alerts;
using CustomerHealth.Store;
using CustomerHealth.Store.Alerts;
using CustomerHealth.Store.Deliveries;
using CustomerHealth.Store.Reading;
using CustomerHealth.Web.Alerts;

namespace CustomerHealth.Web.Components.Alerts;

/// <summary>What the address asks of the Alerts page: its filters, and which page of the inbox and of the tasks.</summary>
internal sealed record InboxQuery(string? Severity, string? Rule, string? Owner, string? Mine, int? AlertPage, int? TaskPage);

/// <summary>
/// The form posted to the page, if one was: the alert or task it is about. A form posted by someone who may not use
/// it is still answered by its handler (with a clear refusal), so the posted item's form stays on the page until then.
/// </summary>
internal sealed record InboxPost(bool Posting, long? AlertId, long? TaskId);

/// <summary>What a form did: the address to go to next, or why it was refused and the status to answer with.</summary>
internal sealed record InboxOutcome(string? Next, int Status, string? Refusal)
{
    public static InboxOutcome GoTo(string url) => new(url, StatusCodes.Status200OK, null);

    public static InboxOutcome Refused(int status, string why) => new(null, status, why);
}

/// <summary>
/// The Alerts &amp; tasks page (Pages/AlertsPage.razor) apart from its markup: the inbox and the tasks as the address
/// filters and pages them, who may act on which (<see cref="AlertWork"/>, the rule the API asks too), what each form
/// does, and the words and links the page shows. The page draws this and wires its forms to it.
/// </summary>
internal sealed class AlertsInboxModel
{
    public const int PageSize = 25;

    /// <summary>The tasks sit beside the inbox: a short page of them keeps the page about as long as the inbox.</summary>
    public const int TaskPageSize = 10;

    public static readonly string[] Severities = ["high", "medium", "low"];

    public static readonly string[] Statuses = ["open", "in_progress", "done"];

    private readonly AlertBook book;
    private readonly AccountReader accounts;
    private readonly Outbox outbox;
    private readonly InboxQuery query;
    private readonly InboxPost post;
    private IReadOnlyList<InboxAccount> inbox = [];
    private IReadOnlyDictionary<long, IReadOnlyList<DeliveryView>> deliveries = new Dictionary<long, IReadOnlyList<DeliveryView>>();
    private bool handled;

    public AlertsInboxModel(AlertBook book, AccountReader accounts, Outbox outbox, TimeProvider clock, ClaimsPrincipal user, InboxQuery query, InboxPost post)
    {
        this.book = book;
        this.accounts = accounts;
        this.outbox = outbox;
        this.query = query;
        this.post = post;
        Work = new AlertWork(user, accounts, clock);
    }

    public AlertWork Work { get; }

    public InboxQuery Query => query;

    public IReadOnlyList<string> Owners { get; private set; } = [];

    public IReadOnlyList<string> Rules { get; private set; } = [];

    public int RuleCount { get; private set; }

    public List<InboxAccount> ShownAccounts { get; private set; } = [];

    public List<TaskView> ShownTasks { get; private set; } = [];

    /// <summary>The accounts the new-task form suggests: a CSM's own, else those on the page.</summary>
    public List<(string Id, string? Name)> AccountChoices { get; private set; } = [];

    public int AlertsTotal { get; private set; }

    public int AccountsTotal { get; private set; }

    public int AlertPages { get; private set; }

    public int AlertOffset { get; private set; }

    public int TasksTotal { get; private set; }

    public int TaskPages { get; private set; }

    public int TaskOffset { get; private set; }

    public int OverdueCount { get; private set; }

    public bool OnlyMine => query.Mine is "1" or "true" or "on";

    public bool Filtered => !string.IsNullOrEmpty(query.Severity) || !string.IsNullOrEmpty(query.Rule) || !string.IsNullOrEmpty(query.Owner) || OnlyMine;

    public bool TasksFiltered => !string.IsNullOrEmpty(query.Owner) || OnlyMine;

    public int AlertPage => Math.Max(1, query.AlertPage ?? 1);

    public int TaskPage => Math.Max(1, query.TaskPage ?? 1);

    /// <summary>A form is being answered: its handler has not run yet.</summary>
    public bool Posting => !handled && post.Posting;

    public bool ShowAlertForm(AlertView a) => Work.MayAct(a) || (Posting && post.AlertId == a.Id);

    public bool ShowTaskForm(TaskView t) => Work.MayWork(t) || (Posting && post.TaskId == t.Id);

    public bool ShowCreateForm => Work.Any || (Posting && post.AlertId is null && post.TaskId is null);

    public string Tomorrow => Text(Work.Today.AddDays(1));

    public string DefaultSnooze => Text(Work.Today.AddDays(7));

    public string DefaultDue => Text(Work.Today.AddDays(3));

    public string RightsLine => Work.All
        ? "You can act on every alert and task."
        : Work.Any
            ? "You can act on the alerts of the accounts you own and on the tasks assigned to you or on your accounts, and create tasks on your accounts."
            : "You can read the alerts and tasks. Acting on them needs a CSM, manager or admin account.";

    /// <summary>Reads what the page shows; the message of what kept the inbox from loading (its rules are broken), or null.</summary>
    public string? Load()
    {
        Owners = accounts.Facets().Owners;
        if (Work.Any && !Work.All)
        {
            // A CSM's book: the accounts whose owner is their e-mail (however the import spelled its case).
            foreach (var o in Owners.Where(o => string.Equals(o, Work.Email, StringComparison.OrdinalIgnoreCase)))
            {
                AccountChoices.AddRange(accounts.List(new AccountQuery(Owner: o, IncludeChurned: true)).Select(a => (a.AccountId, a.Name)));
            }
        }
        string? error = null;
        try
        {
            var inForce = book.Rules().Rules.Select(r => r.Id).ToList();
            RuleCount = inForce.Count;
            LoadAlerts(inForce);
        }
        catch (Exception e) when (e is StoreException or AlertRulesInvalidException)
        {
            error = e.Message;
        }
        LoadTasks();
        if (Work.All)
        {
            AccountChoices = ShownAccounts.Select(a => (a.AccountId, a.Name)).Concat(ShownTasks.Select(t => (t.AccountId, t.AccountName)))
                .DistinctBy(a => a.Item1).OrderBy(a => a.Item1, StringComparer.Ordinal).ToList();
        }
        return error;
    }

    private void LoadAlerts(IReadOnlyList<string> inForce)
    {
        inbox = book.Inbox();
        Rules = inForce.Concat(inbox.SelectMany(r => r.Alerts).Select(a => a.RuleId)).Distinct().Order(StringComparer.Ordinal).ToList();
        // An account is in the list when one of its open alerts matches; its line shows all of them, the alerts a bulk action changes.
        var matching = inbox.Where(r =>
                (string.IsNullOrEmpty(query.Owner) || string.Equals(r.Owner, query.Owner, StringComparison.OrdinalIgnoreCase)) && (!OnlyMine || Work.Mine(r.Owner))
                && r.Alerts.Any(a => (string.IsNullOrEmpty(query.Severity) || a.Severity == query.Severity) && (string.IsNullOrEmpty(query.Rule) || a.RuleId == query.Rule)))
            .ToList();
        AccountsTotal = matching.Count;
        AlertsTotal = matching.Sum(r => r.Alerts.Count);
        AlertPages = Math.Max(1, (AccountsTotal + PageSize - 1) / PageSize);
        AlertOffset = (Math.Min(AlertPage, AlertPages) - 1) * PageSize;
        ShownAccounts = matching.Skip(AlertOffset).Take(PageSize).ToList();
        if (Posting && post.AlertId is { } posted && ShownAccounts.All(r => r.Alerts.All(a => a.Id != posted)) && book.Alert(posted) is { } found)
        {
            ShownAccounts.Insert(0, new InboxAccount(found.AccountId, found.AccountName, found.Owner, null, found.Score, found.Grade, null, null, found.Severity, [found]));
        }
        deliveries = outbox.OfAlerts(ShownAccounts.SelectMany(r => r.Alerts).Select(a => a.Id).ToList(), perAlert: 20);
    }

    private void LoadTasks()
    {
        var all = book.Tasks();
        var matching = all.Where(t => (!OnlyMine || Work.Mine(t.Assignee)) && (string.IsNullOrEmpty(query.Owner) || string.Equals(t.Assignee, query.Owner, StringComparison.OrdinalIgnoreCase)))
            .ToList();
        TasksTotal = matching.Count;
        OverdueCount = matching.Count(t => t.Overdue);
        TaskPages = Math.Max(1, (TasksTotal + TaskPageSize - 1) / TaskPageSize);
        TaskOffset = (Math.Min(TaskPage, TaskPages) - 1) * TaskPageSize;
        ShownTasks = matching.Skip(TaskOffset).Take(TaskPageSize).ToList();
        if (Posting && post.TaskId is { } posted && ShownTasks.All(t => t.Id != posted)
            && (all.FirstOrDefault(t => t.Id == posted) ?? book.Task(posted)) is { } found)
        {
            ShownTasks.Insert(0, found);
        }
    }

    public IReadOnlyList<DeliveryView> DeliveriesOf(long id) => deliveries.GetValueOrDefault(id) ?? [];

    /// <summary>One alert's form: acknowledge, snooze (until a day after today) or resolve it.</summary>
    public InboxOutcome Act(AlertView alert, string? action, string? until)
    {
        handled = true;
        if (action is not ("acknowledge" or "snooze" or "resolve"))
        {
            return InboxOutcome.Refused(StatusCodes.Status400BadRequest, "Choose what to do with the alert: acknowledge, snooze or resolve.");
        }
        if (!Work.MayAct(alert))
        {
            return InboxOutcome.Refused(StatusCodes.Status403Forbidden, Work.Refusal($"{action} the alert on {alert.AccountName ?? alert.AccountId}"));
        }
        DateOnly? day = null;
        if (action == "snooze")
        {
            if (SnoozeEnd(until) is not { } end)
            {
                return InboxOutcome.Refused(StatusCodes.Status400BadRequest, "Choose the day the snooze ends: a day after today.");
            }
            day = end;
        }
        if (!book.Act(alert.Id, action, Work.Email, day))
        {
            return InboxOutcome.Refused(StatusCodes.Status409Conflict,
                $"The alert on {alert.AccountName ?? alert.AccountId} is already resolved{(alert.ResolvedBy is { } by ? $" (by {by} on {alert.ResolvedOn})" : "")}; there is nothing left to do.");
        }
        return InboxOutcome.GoTo(Url(done: action == "acknowledge" ? "acknowledged" : action == "snooze" ? "snoozed" : "resolved",
            anchor: action == "resolve" ? null : $"alert-{alert.Id}"));
    }

    /// <summary>The inbox's form: acknowledge or snooze every open alert of the chosen accounts, all or none.</summary>
    public InboxOutcome ActOnAccounts(string? action, string[]? chosenAccounts, string? until)
    {
        handled = true;
        if (action is not ("acknowledge" or "snooze"))
        {
            return InboxOutcome.Refused(StatusCodes.Status400BadRequest, "Choose what to do with the chosen accounts' alerts: acknowledge or snooze.");
        }
        if (!Work.Any)
        {
            return InboxOutcome.Refused(StatusCodes.Status403Forbidden, Work.Refusal($"{action} alerts"));
        }
        var chosen = (chosenAccounts ?? []).Select(Trimmed).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        if (chosen.Count == 0)
        {
            return InboxOutcome.Refused(StatusCodes.Status400BadRequest, "Choose one or more accounts in the list first (the boxes at the start of the lines).");
        }
        if (chosen.Count > 500)
        {
            return InboxOutcome.Refused(StatusCodes.Status400BadRequest, "Choose at most 500 accounts at a time.");
        }
        var byAccount = inbox.ToDictionary(r => r.AccountId, StringComparer.Ordinal);
        var missing = chosen.Where(c => !byAccount.ContainsKey(c)).ToList();
        if (missing.Count > 0)
        {
            return InboxOutcome.Refused(StatusCodes.Status409Conflict,
                $"{Plural(missing.Count, "chosen account")} {(missing.Count == 1 ? "has" : "have")} no open alert any more ({string.Join(", ", missing.Take(5))}); nothing was changed. Reload the page and choose again.");
        }
        var alerts = chosen.SelectMany(c => byAccount[c].Alerts).ToList();
        if (alerts.FirstOrDefault(a => !Work.MayAct(a)) is { } refused)
        {
            return InboxOutcome.Refused(StatusCodes.Status403Forbidden, Work.Refusal($"{action} the alerts on {refused.AccountName ?? refused.AccountId}") + " Nothing was changed.");
        }
        DateOnly? day = null;
        if (action == "snooze")
        {
            if (SnoozeEnd(until) is not { } end)
            {
                return InboxOutcome.Refused(StatusCodes.Status400BadRequest, "Choose the day the snooze ends: a day after today.");
            }
            day = end;
        }
        foreach (var a in alerts)
        {
            book.Act(a.Id, action, Work.Email, day);
        }
        return InboxOutcome.GoTo(Url(done: action == "acknowledge" ? "accounts-acknowledged" : "accounts-snoozed"));
    }

    /// <summary>A task's form: its status, outcome note and assignee.</summary>
    public InboxOutcome SaveTask(TaskView task, string? status, string? outcome, string? assignee)
    {
        handled = true;
        if (!Work.MayWork(task))
        {
            return InboxOutcome.Refused(StatusCodes.Status403Forbidden, Work.Refusal($"change the task “{task.Title}”"));
        }
        status = Trimmed(status);
        if (status is not null && !Statuses.Contains(status))
        {
            return InboxOutcome.Refused(StatusCodes.Status400BadRequest, "Choose a status: open, in progress or done.");
        }
        assignee = Trimmed(assignee);
        if (!AlertLifecycle.IsAssignee(assignee))
        {
            return InboxOutcome.Refused(StatusCodes.Status400BadRequest, $"Assign the task to a person's e-mail address (“{assignee}” is not one).");
        }
        try
        {
            if (!book.UpdateTask(task.Id, status, Trimmed(outcome), assignee, null))
            {
                return InboxOutcome.Refused(StatusCodes.Status404NotFound, "The task is not there any more.");
            }
        }
        catch (StoreException e)
        {
            return InboxOutcome.Refused(StatusCodes.Status400BadRequest, e.Message);
        }
        return InboxOutcome.GoTo(Url(done: "task-saved", anchor: status == "done" ? null : $"task-{task.Id}"));
    }

    /// <summary>The new-task form.</summary>
    public InboxOutcome CreateTask(string? account, string? title, string? assignee, string? due, string? steps)
    {
        handled = true;
        account = Trimmed(account);
        if (!Work.Any)
        {
            return InboxOutcome.Refused(StatusCodes.Status403Forbidden, Work.Refusal("create tasks"));
        }
        if (account is null)
        {
            return InboxOutcome.Refused(StatusCodes.Status400BadRequest, "Say which account the task is on: its account id, such as ACC-00123.");
        }
        if (!Work.MayCreateTaskOn(account))
        {
            return InboxOutcome.Refused(StatusCodes.Status403Forbidden,
                Work.Refusal($"create a task on {account}") + " (Is the account id right? Your accounts are suggested as you type.)");
        }
        title = Trimmed(title);
        if (title is null)
        {
            return InboxOutcome.Refused(StatusCodes.Status400BadRequest, "Say what needs doing: the task needs a title.");
        }
        assignee = Trimmed(assignee);
        if (!AlertLifecycle.IsAssignee(assignee))
        {
            return InboxOutcome.Refused(StatusCodes.Status400BadRequest, $"Assign the task to a person's e-mail address (“{assignee}” is not one).");
        }
        DateOnly? dueOn = null;
        if (Trimmed(due) is { } dueText)
        {
            if (!DateOnly.TryParseExact(dueText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            {
                return InboxOutcome.Refused(StatusCodes.Status400BadRequest, "The due day is not a date; pick one in the calendar.");
            }
            dueOn = d;
        }
        try
        {
            book.CreateTask(account, title, assignee, dueOn, (steps ?? "").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        }
        catch (StoreException e)
        {
            return InboxOutcome.Refused(StatusCodes.Status400BadRequest, $"The task was not created: {e.Message}.");
        }
        return InboxOutcome.GoTo(Url(done: "task-created"));
    }

    /// <summary>The posted end of a snooze when it is a day after today (<see cref="AlertWork.SnoozeMayEnd"/>), else null.</summary>
    private DateOnly? SnoozeEnd(string? until) =>
        DateOnly.TryParseExact(until, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) && Work.SnoozeMayEnd(day) ? day : null;

    private static string? Trimmed(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    /// <summary>The page's address with its filters and pages, and what was just done (`done`) or where to scroll to.</summary>
    public string Url(string? done = null, string? anchor = null, int? page = null, int? taskPage = null)
    {
        var p = page ?? AlertPage;
        var tp = taskPage ?? TaskPage;
        var pairs = new List<KeyValuePair<string, string?>>
        {
            new("severity", Trimmed(query.Severity)), new("rule", Trimmed(query.Rule)), new("owner", Trimmed(query.Owner)), new("mine", OnlyMine ? "1" : null),
            new("page", p > 1 ? p.ToString(CultureInfo.InvariantCulture) : null), new("tpage", tp > 1 ? tp.ToString(CultureInfo.InvariantCulture) : null),
            new("done", done),
        };
        return "/alerts" + QueryString.Create(pairs.Where(x => x.Value is not null)) + (anchor is null ? "" : "#" + anchor);
    }

    /// <summary>What the page says after a form did its work (the `done` of its address).</summary>
    public static string? DoneMessage(string? done) => done switch
    {
        "acknowledged" => "The alert is acknowledged: everyone can see that someone is on it.",
        "snoozed" => "The alert is snoozed: it stays quiet until the day you chose, and comes back then if the problem is still there.",
        "resolved" => "The alert is resolved.",
        "accounts-acknowledged" => "The chosen accounts' open alerts are acknowledged: everyone can see that someone is on them.",
        "accounts-snoozed" => "The chosen accounts' open alerts are snoozed until the day you chose; they come back then if the problems are still there.",
        "task-saved" => "The task is saved.",
        "task-created" => "The task is created.",
        _ => null,
    };

    public static string AccountHref(string id) => $"/accounts/{Uri.EscapeDataString(id)}";

    public static string Text(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Plural(int n, string what) => $"{n.ToString("N0", CultureInfo.InvariantCulture)} {what}{(n == 1 ? "" : "s")}";

    public static string Sentence(string reason) => reason.Length == 0 ? reason : char.ToUpperInvariant(reason[0]) + reason[1..];

    public static string SeverityLabel(string s) => s switch { "high" => "High", "medium" => "Medium", "low" => "Low", _ => s };

    public static string SeverityCss(string s) => s switch { "high" => "text-bg-danger", "medium" => "text-bg-warning", _ => "text-bg-secondary" };

    public static string StatusLabel(string s) => s switch { "open" => "Open", "in_progress" => "In progress", "done" => "Done", _ => s };

    public static string StateText(AlertView a) => a.State switch
    {
        "acknowledged" => "Acknowledged",
        "snoozed" => $"Snoozed until {a.SnoozedUntil}",
        "resolved" => $"Resolved on {a.ResolvedOn}",
        _ => "Open",
    };

    /// <summary>How long ago a day was: "today", "yesterday", "3 days ago (2026-01-02)".</summary>
    public string Age(string day)
    {
        if (!DateOnly.TryParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            return day;
        }
        var days = Work.Today.DayNumber - d.DayNumber;
        return days switch { <= 0 => "today", 1 => "yesterday", _ => $"{days} days ago ({day})" };
    }

    /// <summary>When a task is due, from today: "due in 3 days (…)", "was due yesterday (…)".</summary>
    public string Due(TaskView t)
    {
        if (t.DueOn is null || !DateOnly.TryParseExact(t.DueOn, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            return "no due day";
        }
        var days = d.DayNumber - Work.Today.DayNumber;
        return days switch
        {
            0 => $"due today ({t.DueOn})",
            1 => $"due tomorrow ({t.DueOn})",
            > 1 => $"due in {days} days ({t.DueOn})",
            -1 => $"was due yesterday ({t.DueOn})",
            _ => $"was due {-days} days ago ({t.DueOn})",
        };
    }
}
