using System.Buffers;
using System.Globalization;
using System.Text;

namespace CustomerHealth.Cli.Demo;

/// <summary>
/// What <see cref="DemoPortfolio.Write"/> produced: the folder, the number of accounts, the number of rows in
/// usage.csv (each row may stand for several events through its `count`), and the accounts churned at the end.
/// </summary>
internal sealed record DemoFiles(string Dir, int Accounts, long UsageEvents, int Churned);

/// <summary>
/// Writes a realistic B2B SaaS demo portfolio as the CSV import files of SPEC §3 (accounts, usage, surveys, tickets,
/// invoices, subscriptions, sentiment). Every account follows a hidden latent health h(t) in [0, 1]: a mean-reverting
/// random walk with weekly steps, slow declines for some accounts, and shocks (product-wide outages, a champion
/// leaving, a new sponsor). That one process drives every signal and the churn, so a good health model can recover
/// it from the files. The output depends only on the arguments.
/// </summary>
internal static class DemoPortfolio
{
    private const double Theta = 0.10;
    private const int SecondsPerDay = 86_400;

    private static readonly string[] Owners =
    [
        "maria.lopez@example.com", "james.chen@example.com", "aisha.khan@example.com", "tom.becker@example.com",
        "priya.nair@example.com", "lucas.martin@example.com", "emma.johansson@example.com", "david.okafor@example.com",
    ];

    // A CSM's book is a little better or worse than the others', so the team page has something to show.
    private static readonly double[] OwnerEffect = [0.03, 0.0, -0.02, 0.02, -0.04, 0.01, 0.0, -0.01];

    private static readonly string[] Regions = ["EMEA", "APAC", "North America", "LATAM", "DACH", "Nordics", "UK"];

    private static readonly string[] NpsPositive =
    [
        "The new dashboards save our team hours every week",
        "Support resolved our SSO issue quickly",
        "Rollout to the second team went smoothly",
        "Great product, our exec team lives in the weekly report",
        "Easy to use, and the Salesforce sync just works",
        "Our CSM is fantastic, always one step ahead",
        "Best tool we adopted this year",
        "Love the new \"Insights\" tab",
        "Reliable, fast, and the API is well documented",
        "It has become part of how we run our Monday meeting",
    ];

    private static readonly string[] NpsNeutral =
    [
        "Good overall, but exports could be faster",
        "Solid product; pricing is getting hard to justify",
        "Works well for us, onboarding new users takes a while",
        "Would like more control over permissions",
        "Fine for reporting, the mobile app needs work",
        "Mostly happy. Occasional sync delays with HubSpot",
        "Does the job. The UI feels a bit dated",
    ];

    private static readonly string[] NpsNegative =
    [
        "Reporting is slow since the last release",
        "We keep hitting API rate limits",
        "Too expensive for what we actually use",
        "Our champion left and nobody really owns the tool now",
        "The outage hurt us with our own customers",
        "Hard to get answers from support, tickets sit for days",
        "Missing features we were promised at renewal",
        "Numbers in the dashboards don't match our warehouse",
        "Honestly, we are looking at alternatives",
    ];

    private static readonly string[] CsatPositive =
    [
        "Support resolved our SSO issue quickly",
        "Quick and friendly answer, thanks!",
        "Fixed within the hour",
        "Clear explanation, problem solved",
        "The agent went above and beyond",
    ];

    private static readonly string[] CsatNeutral =
    [
        "Resolved, but it took a few back-and-forths",
        "OK answer, had to figure out the rest myself",
        "Fine, though the first reply missed the point",
    ];

    private static readonly string[] CsatNegative =
    [
        "Took a week to get a real answer",
        "Ticket was closed without fixing the problem",
        "Had to escalate twice, very frustrating",
        "Still broken; the \"workaround\" doesn't work for us",
    ];

    private static readonly string[] NoteGreen =
    [
        "Strong exec sponsor, expanding to a new team next quarter",
        "QBR went well; they want to pilot the forecasting add-on",
        "Healthy adoption, champion is very engaged",
        "Renewal looks safe, they offered to do a case study",
        "Usage up, positive feedback from the admins",
    ];

    private static readonly string[] NoteYellow =
    [
        "Usage flat; need to re-engage the ops team",
        "New admin still ramping up, scheduled a training",
        "Some frustration about reporting speed",
        "Budget review coming up, ROI deck in progress",
        "Mixed feedback in the QBR, follow up on integrations",
    ];

    private static readonly string[] NoteRed =
    [
        "Exec sponsor asking about cheaper alternatives",
        "Escalation open for weeks, relationship strained",
        "Low adoption, they question the value before renewal",
        "Payment issues and no reply to our emails",
        "Key users stopped logging in, no response to outreach",
    ];

    public static DemoFiles Write(string dir, int accounts, int months, DateOnly end, int seed)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dir);
        ArgumentOutOfRangeException.ThrowIfLessThan(accounts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(months, 1);
        Directory.CreateDirectory(dir);

        var rng = new Random(seed);
        var faker = new Bogus.Faker("en") { Random = new Bogus.Randomizer(seed) };
        var first = end.AddMonths(-months).AddDays(1).DayNumber;
        var last = end.DayNumber;

        var profiles = CreateAccounts(accounts, first, last, rng, faker);

        // Product-wide incidents hit many accounts on the same day, as real outages do.
        var incidents = new List<int>();
        var incidentCount = Math.Max(1, months / 5);
        for (var i = 0; i < incidentCount; i++)
        {
            incidents.Add(first + 20 + rng.Next(Math.Max(1, last - first - 40)));
        }
        incidents.Sort();

        var churned = 0;
        long usageRows;
        using (var files = new Files(dir))
        {
            var sim = new Simulator(files, first, last, incidents);
            for (var i = 0; i < profiles.Count; i++)
            {
                sim.Run(profiles[i], new Random(DeriveSeed(seed, i)));
                if (profiles[i].ChurnedDay is not null)
                {
                    churned++;
                }
            }
            WriteAccounts(files.Accounts, profiles, end);
            usageRows = files.Usage.Rows;
        }
        return new DemoFiles(dir, accounts, usageRows, churned);
    }

    private static int DeriveSeed(int seed, int index)
    {
        // SplitMix64 finaliser: neighbouring accounts get unrelated random streams.
        var z = unchecked(((ulong)(uint)seed << 32) + (ulong)index + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return unchecked((int)z);
    }

    private enum Segment
    {
        Smb,
        MidMarket,
        Enterprise,
    }

    private sealed class Account
    {
        public string Id = "";
        public string Name = "";
        public Segment Segment;
        public string Plan = "";
        public int Owner;
        public int Parent = -1;
        public int StartedDay;
        public bool Monthly;
        public bool Card;
        public double Arr;
        public int Seats;
        public double PricePerSeat;
        public double Mu;
        public double Sigma;
        public int DeclineDay = int.MaxValue;
        public double DeclineRate;
        public bool Integration;
        public double IntegrationFloor;
        public int SyncsPerDay;
        public bool Api;
        public double ApiBase;
        public bool TracksSentiment;
        public int SentimentEvery;
        public double NpsPerHalfYear;
        public string[] Contacts = [];
        public int? ChurnedDay;
    }

    private static List<Account> CreateAccounts(int n, int first, int last, Random rng, Bogus.Faker faker)
    {
        var list = new List<Account>(n);
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var enterpriseRoots = new List<int>();
        var periodDays = last - first;
        for (var i = 0; i < n; i++)
        {
            var a = new Account { Id = "ACC-" + (i + 1).ToString("D5", CultureInfo.InvariantCulture) };
            var s = rng.NextDouble();
            a.Segment = s < 0.62 ? Segment.Smb : s < 0.90 ? Segment.MidMarket : Segment.Enterprise;

            var companyName = faker.Company.CompanyName();
            for (var tries = 0; names.Contains(companyName) && tries < 5; tries++)
            {
                companyName = faker.Company.CompanyName();
            }
            if (names.Contains(companyName))
            {
                companyName += " Group " + (i + 1).ToString(CultureInfo.InvariantCulture);
            }

            double arr, pricePerSeat;
            int minSeats;
            switch (a.Segment)
            {
                case Segment.Smb:
                    arr = RoundTo(LogUniform(rng, 5_000, 30_000), 100);
                    pricePerSeat = Uniform(rng, 1_000, 1_700);
                    minSeats = 3;
                    a.Plan = rng.NextDouble() < 0.7 ? "Starter" : "Growth";
                    a.Owner = 3 + rng.Next(5);
                    a.Monthly = rng.NextDouble() < 0.8;
                    a.Card = a.Monthly;
                    a.Sigma = 0.045;
                    break;
                case Segment.MidMarket:
                    arr = RoundTo(LogUniform(rng, 30_000, 150_000), 500);
                    pricePerSeat = Uniform(rng, 2_000, 3_500);
                    minSeats = 8;
                    a.Plan = rng.NextDouble() < 0.8 ? "Growth" : "Enterprise";
                    a.Owner = 1 + rng.Next(5);
                    a.Monthly = rng.NextDouble() < 0.45;
                    a.Sigma = 0.035;
                    break;
                default:
                    arr = RoundTo(LogUniform(rng, 150_000, 1_200_000), 1_000);
                    pricePerSeat = Uniform(rng, 6_000, 12_000);
                    minSeats = 20;
                    a.Plan = rng.NextDouble() < 0.9 ? "Enterprise" : "Growth";
                    a.Owner = rng.Next(3);
                    a.Monthly = rng.NextDouble() < 0.08;
                    a.Sigma = 0.03;
                    break;
            }
            a.Arr = arr;
            a.PricePerSeat = pricePerSeat;
            a.Seats = Math.Max(minSeats, (int)Math.Round(arr / pricePerSeat));

            // Most accounts predate the period; about a fifth sign up during it.
            a.StartedDay = rng.NextDouble() < 0.8
                ? first - 14 - rng.Next(4 * 365)
                : first + rng.Next(Math.Max(1, periodDays - 14));

            if (a.Segment == Segment.Enterprise && enterpriseRoots.Count > 0 && rng.NextDouble() < 0.055)
            {
                a.Parent = enterpriseRoots[rng.Next(enterpriseRoots.Count)];
                var parent = list[a.Parent];
                companyName = parent.Name + " (" + Regions[rng.Next(Regions.Length)] + ")";
                a.Owner = parent.Owner;
            }
            else if (a.Segment == Segment.Enterprise)
            {
                enterpriseRoots.Add(i);
            }
            names.Add(companyName);
            a.Name = companyName;

            var m = rng.NextDouble();
            var mu = m < 0.60 ? Uniform(rng, 0.62, 0.90) : m < 0.88 ? Uniform(rng, 0.45, 0.65) : Uniform(rng, 0.22, 0.45);
            mu += OwnerEffect[a.Owner] + a.Segment switch { Segment.Enterprise => 0.03, Segment.Smb => -0.02, _ => 0.0 };
            a.Mu = Math.Clamp(mu, 0.1, 0.92);
            if (rng.NextDouble() < 0.18)
            {
                a.DeclineDay = first + rng.Next(Math.Max(1, periodDays));
                a.DeclineRate = Uniform(rng, 0.004, 0.012);
            }

            var (pIntegration, pApi, nps) = a.Segment switch
            {
                Segment.Smb => (0.15, 0.05, 2.0),
                Segment.MidMarket => (0.40, 0.20, 3.5),
                _ => (0.70, 0.50, 6.0),
            };
            a.Integration = rng.NextDouble() < pIntegration;
            a.IntegrationFloor = Uniform(rng, 0.15, 0.40);
            a.SyncsPerDay = 4 + rng.Next(21);
            a.Api = rng.NextDouble() < pApi;
            a.ApiBase = Uniform(rng, 10, 150);
            a.NpsPerHalfYear = nps;
            a.TracksSentiment = rng.NextDouble() < 0.7;
            a.SentimentEvery = 30 + rng.Next(61);

            var domain = Domain(a.Name);
            var contacts = new string[a.Segment switch { Segment.Smb => 2 + rng.Next(2), Segment.MidMarket => 3 + rng.Next(3), _ => 4 + rng.Next(5) }];
            for (var c = 0; c < contacts.Length; c++)
            {
                contacts[c] = Letters(faker.Name.FirstName()) + "." + Letters(faker.Name.LastName()) + "@" + domain;
            }
            a.Contacts = contacts;
            list.Add(a);
        }
        return list;
    }

    private static string Domain(string company)
    {
        var sb = new StringBuilder();
        var words = 0;
        var inWord = false;
        foreach (var ch in company)
        {
            if (char.IsAsciiLetterOrDigit(ch))
            {
                if (!inWord)
                {
                    if (words == 2)
                    {
                        break;
                    }
                    words++;
                    inWord = true;
                }
                sb.Append(char.ToLowerInvariant(ch));
            }
            else if (ch == '(')
            {
                break;
            }
            else
            {
                inWord = false;
            }
        }
        return (sb.Length == 0 ? "customer" : sb.ToString()) + ".com";
    }

    private static string Letters(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var ch in s)
        {
            if (char.IsAsciiLetter(ch))
            {
                sb.Append(char.ToLowerInvariant(ch));
            }
        }
        return sb.Length == 0 ? "contact" : sb.ToString();
    }

    private static void WriteAccounts(CsvFile f, List<Account> accounts, DateOnly end)
    {
        foreach (var a in accounts)
        {
            var started = DateOnly.FromDayNumber(a.StartedDay);
            var tenure = end.DayNumber - a.StartedDay;
            var stage = tenure < 90 ? "onboarding" : tenure < 365 ? "adoption" : "mature";
            var k = 1;
            while (started.AddYears(k) <= end)
            {
                k++;
            }
            f.Raw(a.Id).Text(a.Name).Raw(SegmentName(a.Segment)).Raw(stage).Raw(Owners[a.Owner]).Money(a.Arr).Int(a.Seats).Raw(a.Plan)
                .Date(a.StartedDay).Date(started.AddYears(k).DayNumber).Raw(a.Parent >= 0 ? accounts[a.Parent].Id : "")
                .Raw(a.ChurnedDay is null ? "active" : "churned").End();
        }
    }

    private static string SegmentName(Segment s) => s switch
    {
        Segment.Smb => "SMB",
        Segment.MidMarket => "Mid-Market",
        _ => "Enterprise",
    };

    private static double Uniform(Random r, double a, double b) => a + ((b - a) * r.NextDouble());

    private static double LogUniform(Random r, double a, double b) => Math.Exp(Uniform(r, Math.Log(a), Math.Log(b)));

    private static double RoundTo(double v, double step) => Math.Max(step, Math.Round(v / step) * step);

    private static bool Chance(Random r, double p) => r.NextDouble() < p;

    private static double Normal(Random r)
    {
        var u1 = 1.0 - r.NextDouble();
        var u2 = r.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private static int Poisson(Random r, double lambda)
    {
        var limit = Math.Exp(-lambda);
        var k = 0;
        var p = r.NextDouble();
        while (p > limit && k < 1000)
        {
            k++;
            p *= r.NextDouble();
        }
        return k;
    }

    private static string Pick(Random r, string[] items) => items[r.Next(items.Length)];

    private enum Priority
    {
        Low,
        Normal,
        High,
        Urgent,
    }

    private sealed class Ticket
    {
        public long Opened;
        public long FirstResponse;
        public long Closed;
        public Priority Priority;
        public bool Escalated;
        public int Rating; // 0 not rated, 1 good, 2 bad
        public double Health;
    }

    private enum Payment
    {
        Paid,
        Failed,
        Void,
    }

    private sealed class Invoice
    {
        public double Amount;
        public int Issued;
        public int Due;
        public int Paid = -1; // the day it was (or will be) paid; -1 never
        public Payment Outcome;
    }

    /// <summary>Simulates one account at a time over the period and streams its signals to the files.</summary>
    private sealed class Simulator(Files files, int first, int last, List<int> incidents)
    {
        private long eventSeq;
        private long ticketSeq;
        private long invoiceSeq;
        private long responseSeq;
        private long subscriptionSeq;

        private readonly List<Ticket> tickets = [];
        private readonly List<Invoice> invoices = [];
        private readonly List<double> userThreshold = [];
        private readonly List<double> userRate = [];
        private readonly List<string> userIds = [];

        private Account a = null!;
        private Random r = null!;
        private double h;
        private double mu;
        private bool alive;
        private int reactivateDay;
        private int nextSentiment;
        private int noteDay;
        private string? note;
        private int outageTicketsLeft;
        private int nextRenewal;

        private long EndSecond => ((long)last + 1) * SecondsPerDay;

        public void Run(Account account, Random random)
        {
            a = account;
            r = random;
            tickets.Clear();
            invoices.Clear();
            userThreshold.Clear();
            userRate.Clear();
            userIds.Clear();
            alive = true;
            reactivateDay = -1;
            note = null;
            noteDay = -1;
            outageTicketsLeft = 0;

            var started = DateOnly.FromDayNumber(a.StartedDay);
            var from = Math.Max(a.StartedDay, first);
            var isNew = a.StartedDay >= first;
            mu = a.Mu;
            h = Math.Clamp(isNew ? mu - 0.08 + (0.08 * Normal(r)) : mu + (0.10 * Normal(r)), 0.05, 0.95);
            nextSentiment = a.TracksSentiment ? from + 7 + r.Next(a.SentimentEvery) : int.MaxValue;

            if (!isNew)
            {
                PreHistory(started);
            }

            var k = 1;
            while (started.AddYears(k).DayNumber < from)
            {
                k++;
            }
            nextRenewal = started.AddYears(k).DayNumber;
            var m = 0;
            while (started.AddMonths(m).DayNumber < from)
            {
                m++;
            }
            var nextMonth = started.AddMonths(m).DayNumber;
            var incident = 0;
            while (incident < incidents.Count && incidents[incident] < from)
            {
                incident++;
            }

            for (var d = from; d <= last; d++)
            {
                var isRenewal = d == nextRenewal;
                if (isRenewal)
                {
                    nextRenewal = started.AddYears(++k).DayNumber;
                }
                var isMonth = d == nextMonth;
                if (isMonth)
                {
                    nextMonth = started.AddMonths(++m).DayNumber;
                }
                var weekly = d > from && (d - first) % 7 == 0;
                if (weekly)
                {
                    Step(d);
                }
                var isIncident = incident < incidents.Count && incidents[incident] == d;
                if (isIncident)
                {
                    incident++;
                }

                if (!alive)
                {
                    if (d != reactivateDay)
                    {
                        continue;
                    }
                    Reactivate(d);
                }

                if (d == a.StartedDay)
                {
                    Subscription("started", d, a.Arr);
                    if (!a.Monthly)
                    {
                        AddInvoice(d, a.Arr);
                    }
                }
                if (isRenewal && !Renew(d))
                {
                    continue;
                }
                if (isMonth)
                {
                    if (a.Monthly)
                    {
                        AddInvoice(d, Math.Round(a.Arr / 12, 2));
                    }
                    if (d != a.StartedDay && !isRenewal)
                    {
                        MidTermChange(d);
                    }
                }
                if (weekly && Chance(r, OffRenewalHazard()))
                {
                    Churn(d);
                    continue;
                }
                if (isIncident && Chance(r, a.Integration ? 0.5 : 0.3))
                {
                    h = Math.Max(0.02, h - Uniform(r, 0.08, 0.2));
                    outageTicketsLeft = r.Next(3);
                    Note(d + 1 + r.Next(5), "Affected by the outage, apology call done, monitoring closely");
                }

                Usage(d);
                NewTickets(d);
                Nps(d);
                Sentiment(d);
            }

            FinishTickets();
            FinishInvoices();
        }

        private void PreHistory(DateOnly started)
        {
            var renewals = 0;
            while (started.AddYears(renewals + 1).DayNumber < first)
            {
                renewals++;
            }
            var previous = 0.0;
            for (var j = 0; j <= renewals; j++)
            {
                var arr = j == renewals ? a.Arr : RoundTo(a.Arr / Math.Pow(1.04, renewals - j), 100);
                Subscription(j == 0 ? "started" : "renewed", started.AddYears(j).DayNumber, arr - previous);
                previous = arr;
            }
            if (!a.Monthly)
            {
                // The annual invoice of the current term was issued before the period and paid.
                var issued = started.AddYears(renewals).DayNumber;
                invoices.Add(new Invoice { Amount = a.Arr, Issued = issued, Due = issued + 30, Paid = issued + 10 + r.Next(25), Outcome = Payment.Paid });
            }
        }

        private void Step(int d)
        {
            if (d >= a.DeclineDay)
            {
                mu = Math.Max(0.05, mu - a.DeclineRate);
            }
            h += (Theta * (mu - h)) + (a.Sigma * Normal(r));
            if (alive && Chance(r, 0.0025))
            {
                mu = Math.Max(0.05, mu - Uniform(r, 0.08, 0.18));
                h -= Uniform(r, 0.04, 0.1);
                Note(d + r.Next(10), "Main champion left the company; looking for a new sponsor");
            }
            else if (alive && Chance(r, 0.002))
            {
                mu = Math.Min(0.92, mu + Uniform(r, 0.06, 0.14));
                Note(d + r.Next(10), "New VP of Operations is a strong sponsor, wants a roadmap session");
            }
            else if (alive && Chance(r, 0.003))
            {
                // An account-specific incident: a data sync breaking, a botched migration.
                h -= Uniform(r, 0.06, 0.15);
                outageTicketsLeft = r.Next(2);
            }
            h = Math.Clamp(h, 0.02, 0.98);
        }

        private double SegmentRisk => a.Segment switch { Segment.Enterprise => 0.7, Segment.Smb => 1.2, _ => 1.0 };

        private double OffRenewalHazard() => SegmentRisk * (a.Monthly ? 2.0 : 1.0) * 0.03 * Math.Exp(-h / 0.085);

        private bool Renew(int d)
        {
            var p = (SegmentRisk * 0.9 / (1 + Math.Exp((h - 0.3) / 0.075))) + 0.005;
            if (Chance(r, p))
            {
                Churn(d);
                return false;
            }
            var uplift = h > 0.6 ? RoundTo(a.Arr * Uniform(r, 0, 0.07), 100) : 0;
            a.Arr += uplift;
            Subscription("renewed", d, uplift);
            if (h < 0.45 && Chance(r, 0.55))
            {
                Contract(d, Uniform(r, 0.1, 0.4));
            }
            if (!a.Monthly)
            {
                AddInvoice(d, a.Arr);
            }
            return true;
        }

        private void MidTermChange(int d)
        {
            var pExpand = 0.07 * Math.Pow(Math.Clamp((h - 0.6) / 0.3, 0, 1), 1.5) * (a.Segment == Segment.Enterprise ? 1.3 : 1.0);
            if (Chance(r, pExpand))
            {
                var delta = RoundTo(a.Arr * Uniform(r, 0.08, 0.35), 100);
                a.Arr += delta;
                a.Seats += Math.Max(1, (int)Math.Round(delta / a.PricePerSeat));
                Subscription("expanded", d, delta);
                if (!a.Monthly)
                {
                    // Annual contracts bill an expansion pro rata to the end of the term.
                    AddInvoice(d, Math.Round(delta * Math.Max(1, nextRenewal - d) / 365.0, 2));
                }
                if (Chance(r, 0.3))
                {
                    Note(d + r.Next(5), "Expanded to another team, champion is happy");
                }
                return;
            }
            if (Chance(r, 0.025 * Math.Clamp((0.45 - h) / 0.3, 0, 1)))
            {
                Contract(d, Uniform(r, 0.1, 0.3));
            }
        }

        private void Contract(int d, double share)
        {
            var delta = Math.Min(RoundTo(a.Arr * share, 100), a.Arr - 100);
            if (delta <= 0)
            {
                return;
            }
            a.Arr -= delta;
            a.Seats = Math.Max(2, a.Seats - Math.Max(1, (int)Math.Round(delta / a.PricePerSeat)));
            Subscription("contracted", d, -delta);
        }

        private void Churn(int d)
        {
            alive = false;
            a.ChurnedDay = d;
            Subscription("churned", d, -a.Arr);
            var at = ((long)d * SecondsPerDay) + (10 * 3600);
            foreach (var t in tickets)
            {
                if (t.Closed > at)
                {
                    t.Closed = Math.Max(at, t.Opened + 3600);
                    t.FirstResponse = Math.Min(t.FirstResponse, t.Closed);
                    t.Rating = 0;
                }
            }
            foreach (var inv in invoices)
            {
                if (inv.Outcome != Payment.Void && (inv.Paid < 0 || inv.Paid > d))
                {
                    inv.Paid = -1;
                    if (inv.Outcome == Payment.Paid && Chance(r, 0.5))
                    {
                        inv.Outcome = Payment.Void;
                    }
                }
            }
            outageTicketsLeft = 0;
            note = null;
            if (Chance(r, 0.07))
            {
                var back = d + 30 + r.Next(120);
                reactivateDay = back < last - 7 ? back : -1;
            }
        }

        private void Reactivate(int d)
        {
            alive = true;
            a.ChurnedDay = null;
            reactivateDay = -1;
            h = Uniform(r, 0.5, 0.65);
            mu = Math.Max(mu, Uniform(r, 0.58, 0.72));
            a.DeclineDay = int.MaxValue;
            a.Arr = RoundTo(a.Arr * Uniform(r, 0.6, 1.0), 100);
            a.Seats = Math.Max(2, (int)Math.Round(a.Arr / a.PricePerSeat));
            Subscription("reactivated", d, a.Arr);
            if (!a.Monthly)
            {
                AddInvoice(d, Math.Round(a.Arr * Math.Max(1, nextRenewal - d) / 365.0, 2));
            }
            Note(d + r.Next(7), "Came back after trying a competitor; re-onboarding planned");
        }

        private void Note(int day, string text)
        {
            if (a.TracksSentiment && day <= last)
            {
                noteDay = day;
                note = text;
            }
        }

        private void Subscription(string kind, int day, double delta)
        {
            files.Subscriptions.Raw(a.Id).Raw(kind).Date(day).Money(delta).Id("sub-", ++subscriptionSeq).End();
        }

        private void AddInvoice(int day, double amount)
        {
            if (Chance(r, 0.01))
            {
                // A corrected invoice: the first one is voided and reissued the same day.
                invoices.Add(new Invoice { Amount = Math.Round(amount * 1.1, 2), Issued = day, Due = day + (a.Card ? 0 : 30), Outcome = Payment.Void });
            }
            var inv = new Invoice { Amount = amount, Issued = day, Due = day + (a.Card ? 0 : 30), Outcome = Payment.Paid };
            var bad = 1 - h;
            if (a.Card)
            {
                if (Chance(r, 0.01 + (0.3 * bad * bad * bad)))
                {
                    // A failed card charge keeps status failed; paid_on is when dunning finally collected it.
                    inv.Outcome = Payment.Failed;
                    inv.Paid = Chance(r, 0.35 + (0.6 * h)) ? day + 2 + r.Next(19) : day + 25 + r.Next(36);
                }
                else
                {
                    inv.Paid = day;
                }
            }
            else if (Chance(r, 0.005 + (0.08 * bad * bad * bad)))
            {
                inv.Outcome = Payment.Failed;
                inv.Paid = inv.Due + 5 + r.Next(26);
            }
            else if (Chance(r, 0.05 + (0.55 * bad * bad)))
            {
                var mean = 6 + (35 * bad);
                inv.Paid = inv.Due + 1 + (int)(-mean * Math.Log(1 - r.NextDouble()));
            }
            else
            {
                inv.Paid = inv.Due - r.Next(21);
            }
            invoices.Add(inv);
        }

        private void FinishInvoices()
        {
            foreach (var inv in invoices)
            {
                var paid = inv.Paid >= 0 && inv.Paid <= last ? inv.Paid : -1;
                var status = inv.Outcome switch
                {
                    Payment.Void => "void",
                    Payment.Failed => "failed",
                    _ => paid >= 0 ? "paid" : "open",
                };
                var f = files.Invoices.Id("INV-", ++invoiceSeq, 7).Raw(a.Id).Money(inv.Amount).Date(inv.Due).Date(inv.Issued);
                if (paid >= 0 && inv.Outcome != Payment.Void)
                {
                    f.Date(paid);
                }
                else
                {
                    f.Empty();
                }
                f.Raw(status).Raw("USD").End();
            }
        }

        private void EnsureUsers(int seats)
        {
            while (userIds.Count < seats)
            {
                var u = r.NextDouble();
                userRate.Add(u < 0.2 ? Uniform(r, 0.25, 0.5) : u < 0.65 ? Uniform(r, 0.06, 0.14) : Uniform(r, 0.015, 0.05));
                userThreshold.Add(r.NextDouble());
                userIds.Add(a.Id + "-u" + (userIds.Count + 1).ToString("D2", CultureInfo.InvariantCulture));
            }
        }

        private void Usage(int d)
        {
            var dow = DateOnly.FromDayNumber(d).DayOfWeek;
            var weekend = dow is DayOfWeek.Saturday or DayOfWeek.Sunday;
            var ramp = a.StartedDay >= first ? Math.Min(1.0, 0.3 + (0.7 * (d - a.StartedDay) / 75.0)) : 1.0;
            var share = Math.Clamp((1.1 * h) - 0.05, 0.03, 0.95) * ramp;
            var intensity = (0.4 + (0.8 * h)) * (weekend ? 0.12 : 1.0);
            var seats = a.Seats;
            EnsureUsers(seats);
            var day0 = (long)d * SecondsPerDay;
            var usage = files.Usage;
            for (var u = 0; u < seats; u++)
            {
                if (userThreshold[u] >= share || r.NextDouble() >= userRate[u] * intensity)
                {
                    continue;
                }
                var at = day0 + (7 * 3600) + r.Next(11 * 3600);
                var user = userIds[u];
                UsageRow(usage, at, "login", user, r.NextDouble() < 0.15 ? 2 : 1);
                if (r.NextDouble() < 0.45 + (0.25 * h))
                {
                    UsageRow(usage, at + 60 + r.Next(3600), "report_viewed", user, 1 + Poisson(r, 0.5 + (4 * h)));
                }
                if (r.NextDouble() < 0.05 + (0.05 * h))
                {
                    UsageRow(usage, at + 300 + r.Next(7200), "export", user, 1 + r.Next(3));
                }
                if (r.NextDouble() < 0.01 + (0.04 * h))
                {
                    UsageRow(usage, at + 600 + r.Next(7200), "dashboard_created", user, 1);
                }
                if (r.NextDouble() < 0.004 * h)
                {
                    UsageRow(usage, at + 900 + r.Next(3600), "invite_sent", user, 1 + r.Next(2));
                }
            }
            if (a.Integration && h > a.IntegrationFloor)
            {
                UsageRow(usage, day0 + r.Next(3600), "integration_sync", null, a.SyncsPerDay);
            }
            if (a.Api)
            {
                var calls = (int)Math.Round(a.ApiBase * h * h * (weekend ? 0.2 : 1.0) * Uniform(r, 0.7, 1.3));
                if (calls > 0)
                {
                    UsageRow(usage, day0 + (6 * 3600) + r.Next(14 * 3600), "api_call", null, calls);
                }
            }
        }

        private void UsageRow(CsvFile f, long at, string ev, string? user, int count)
        {
            at = Math.Min(at, (((at / SecondsPerDay) + 1) * SecondsPerDay) - 1);
            f.Raw(a.Id).Stamp(at).Raw(ev).Raw(user ?? "").Id("ev-", ++eventSeq).Int(count).End();
        }

        private void NewTickets(int d)
        {
            var dow = DateOnly.FromDayNumber(d).DayOfWeek;
            var weekend = dow is DayOfWeek.Saturday or DayOfWeek.Sunday;
            var perWeek = a.Segment switch { Segment.Smb => 0.06, Segment.MidMarket => 0.15, _ => 0.35 };
            var bad = 1 - h;
            var p = perWeek * (0.35 + (2.4 * bad * bad)) / (weekend ? 20.0 : 5.0);
            if (outageTicketsLeft > 0)
            {
                outageTicketsLeft--;
                AddTicket(d, r.NextDouble() switch { < 0.3 => Priority.Urgent, < 0.75 => Priority.High, _ => Priority.Normal });
            }
            if (Chance(r, p))
            {
                var x = r.NextDouble();
                var urgent = 0.03 + (0.12 * bad * bad);
                var high = urgent + 0.12 + (0.2 * bad);
                var low = high + 0.25;
                AddTicket(d, x < urgent ? Priority.Urgent : x < high ? Priority.High : x < low ? Priority.Low : Priority.Normal);
            }
        }

        private void AddTicket(int d, Priority priority)
        {
            var bad = 1 - h;
            var opened = ((long)d * SecondsPerDay) + (6 * 3600) + r.Next(13 * 3600);
            var (respond, resolve) = priority switch
            {
                Priority.Urgent => (0.5, 8.0),
                Priority.High => (2.0, 30.0),
                Priority.Normal => (6.0, 60.0),
                _ => (16.0, 120.0),
            };
            var escalated = Chance(r, 0.02 + (0.3 * bad * bad) + (priority == Priority.Urgent ? 0.15 : 0));
            var stuck = Chance(r, 0.4 * bad * bad * (priority >= Priority.High ? 1.5 : 1.0));
            var firstResponse = opened + (long)(3600 * respond * Math.Exp(0.5 * Normal(r)));
            var hours = resolve * Math.Exp(0.6 * Normal(r)) * (0.7 + (1.4 * bad)) * (escalated ? 2 : 1) * (stuck ? Uniform(r, 4, 12) : 1);
            var closed = Math.Max(firstResponse + 600, opened + (long)(3600 * hours));
            var rating = 0;
            if (Chance(r, 0.45))
            {
                var good = Math.Clamp(0.55 + (0.5 * h) - (escalated ? 0.2 : 0) - (stuck ? 0.2 : 0), 0.05, 0.98);
                rating = Chance(r, good) ? 1 : 2;
            }
            tickets.Add(new Ticket
            {
                Opened = opened, FirstResponse = firstResponse, Closed = closed, Priority = priority, Escalated = escalated,
                Rating = rating, Health = h,
            });
        }

        private void FinishTickets()
        {
            var end = EndSecond;
            foreach (var t in tickets)
            {
                var closed = t.Closed < end;
                var responded = t.FirstResponse < end;
                var status = closed ? (t.Closed < end - (4L * SecondsPerDay) ? "closed" : "solved") : responded && Chance(r, 0.4) ? "pending" : "open";
                var f = files.Tickets.Id("T-", ++ticketSeq, 6).Raw(a.Id).Stamp(t.Opened).Raw(PriorityName(t.Priority)).Raw(status);
                if (responded)
                {
                    f.Stamp(t.FirstResponse);
                }
                else
                {
                    f.Empty();
                }
                if (closed)
                {
                    f.Stamp(t.Closed);
                }
                else
                {
                    f.Empty();
                }
                f.Raw(t.Escalated ? "true" : "false").Raw(closed && t.Rating != 0 ? (t.Rating == 1 ? "good" : "bad") : "").End();

                if (closed && Chance(r, 0.35))
                {
                    var at = t.Closed + 3600 + r.Next(72 * 3600);
                    if (at < end)
                    {
                        var q = t.Health + (0.15 * Normal(r)) + (t.Rating == 1 ? 0.1 : t.Rating == 2 ? -0.15 : 0);
                        var score = (int)Math.Round(Math.Clamp(1.6 + (4.2 * q), 1, 5));
                        var comment = Chance(r, 0.3) ? Pick(r, score >= 4 ? CsatPositive : score == 3 ? CsatNeutral : CsatNegative) : null;
                        Survey("csat", score, at, comment);
                    }
                }
            }
        }

        private static string PriorityName(Priority p) => p switch
        {
            Priority.Low => "low",
            Priority.Normal => "normal",
            Priority.High => "high",
            _ => "urgent",
        };

        private void Nps(int d)
        {
            var dow = DateOnly.FromDayNumber(d).DayOfWeek;
            if (dow is DayOfWeek.Saturday or DayOfWeek.Sunday || !Chance(r, a.NpsPerHalfYear / 130.0))
            {
                return;
            }
            var q = h + (0.13 * Normal(r));
            var score = (int)Math.Round(Math.Clamp(2.6 + (9.0 * q) + (0.8 * Normal(r)), 0, 10));
            var comment = Chance(r, 0.3) ? Pick(r, score >= 9 ? NpsPositive : score >= 7 ? NpsNeutral : NpsNegative) : null;
            Survey("nps", score, ((long)d * SecondsPerDay) + (8 * 3600) + r.Next(12 * 3600), comment);
        }

        private void Survey(string kind, int score, long at, string? comment)
        {
            files.Surveys.Raw(a.Id).Raw(kind).Int(score).Stamp(at).Id("R-", ++responseSeq, 7).Raw(Pick(r, a.Contacts)).Text(comment).End();
        }

        private void Sentiment(int d)
        {
            string? text = null;
            if (note is not null && d >= noteDay)
            {
                text = note;
                note = null;
            }
            else if (d >= nextSentiment)
            {
                nextSentiment = d + Math.Max(14, a.SentimentEvery + r.Next(-10, 11));
            }
            else
            {
                return;
            }
            var seen = h + (0.12 * Normal(r));
            var rating = seen >= 0.62 ? "green" : seen >= 0.4 ? "yellow" : "red";
            text ??= Chance(r, 0.8) ? Pick(r, rating == "green" ? NoteGreen : rating == "yellow" ? NoteYellow : NoteRed) : null;
            var at = ((long)d * SecondsPerDay) + (9 * 3600) + r.Next(9 * 3600);
            files.Sentiment.Raw(a.Id).Raw(rating).Stamp(at).Raw(Owners[a.Owner]).Text(text).End();
        }
    }

    private sealed class Files : IDisposable
    {
        public Files(string dir)
        {
            Accounts = new CsvFile(Path.Combine(dir, "accounts.csv"),
                "account_id,name,segment,lifecycle_stage,owner,arr,seats,plan,started_on,renewal_on,parent_id,status");
            Usage = new CsvFile(Path.Combine(dir, "usage.csv"), "account_id,occurred_at,event,user_id,event_id,count");
            Surveys = new CsvFile(Path.Combine(dir, "surveys.csv"), "account_id,kind,score,responded_at,response_id,contact,comment");
            Tickets = new CsvFile(Path.Combine(dir, "tickets.csv"),
                "ticket_id,account_id,opened_at,priority,status,first_response_at,closed_at,escalated,satisfaction");
            Invoices = new CsvFile(Path.Combine(dir, "invoices.csv"), "invoice_id,account_id,amount,due_on,issued_on,paid_on,status,currency");
            Subscriptions = new CsvFile(Path.Combine(dir, "subscriptions.csv"), "account_id,kind,occurred_on,arr_delta,event_id");
            Sentiment = new CsvFile(Path.Combine(dir, "sentiment.csv"), "account_id,rating,recorded_at,author,note");
        }

        public CsvFile Accounts { get; }
        public CsvFile Usage { get; }
        public CsvFile Surveys { get; }
        public CsvFile Tickets { get; }
        public CsvFile Invoices { get; }
        public CsvFile Subscriptions { get; }
        public CsvFile Sentiment { get; }

        public void Dispose()
        {
            Accounts.Dispose();
            Usage.Dispose();
            Surveys.Dispose();
            Tickets.Dispose();
            Invoices.Dispose();
            Subscriptions.Dispose();
            Sentiment.Dispose();
        }
    }

    /// <summary>An RFC 4180 CSV file built one row at a time in a reusable buffer.</summary>
    private sealed class CsvFile : IDisposable
    {
        private static readonly SearchValues<char> Special = SearchValues.Create(",\"\r\n");
        private readonly StreamWriter writer;
        private char[] buffer = new char[1024];
        private int length;
        private int fields;

        public CsvFile(string path, string header)
        {
            writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 20);
            writer.Write(header);
            writer.Write('\n');
        }

        public long Rows { get; private set; }

        private Span<char> Room(int n)
        {
            if (length + n > buffer.Length)
            {
                Array.Resize(ref buffer, Math.Max(buffer.Length * 2, length + n));
            }
            return buffer.AsSpan(length);
        }

        private void Next()
        {
            if (fields++ > 0)
            {
                Room(1)[0] = ',';
                length++;
            }
        }

        private void Append(ReadOnlySpan<char> s)
        {
            s.CopyTo(Room(s.Length));
            length += s.Length;
        }

        /// <summary>A value known to need no quoting (identifiers, fixed words).</summary>
        public CsvFile Raw(string s)
        {
            Next();
            Append(s);
            return this;
        }

        public CsvFile Text(string? s)
        {
            Next();
            if (string.IsNullOrEmpty(s))
            {
                return this;
            }
            if (s.AsSpan().IndexOfAny(Special) < 0)
            {
                Append(s);
                return this;
            }
            Append("\"");
            Append(s.Replace("\"", "\"\"", StringComparison.Ordinal));
            Append("\"");
            return this;
        }

        public CsvFile Empty()
        {
            Next();
            return this;
        }

        public CsvFile Int(long v)
        {
            Next();
            v.TryFormat(Room(24), out var n, default, CultureInfo.InvariantCulture);
            length += n;
            return this;
        }

        public CsvFile Id(string prefix, long v, int digits = 0)
        {
            Next();
            Append(prefix);
            v.TryFormat(Room(24), out var n, digits > 0 ? "D" + digits.ToString(CultureInfo.InvariantCulture) : default, CultureInfo.InvariantCulture);
            length += n;
            return this;
        }

        public CsvFile Money(double v)
        {
            Next();
            // Rounding first keeps "-0.00" out of the file.
            var rounded = Math.Round(v, 2) + 0.0;
            rounded.TryFormat(Room(40), out var n, rounded == Math.Floor(rounded) ? "0" : "0.00", CultureInfo.InvariantCulture);
            length += n;
            return this;
        }

        public CsvFile Date(int dayNumber)
        {
            Next();
            var span = Room(10);
            PutDate(span, DateOnly.FromDayNumber(dayNumber));
            length += 10;
            return this;
        }

        /// <summary>An ISO 8601 UTC timestamp from seconds since day number 0.</summary>
        public CsvFile Stamp(long seconds)
        {
            Next();
            var span = Room(20);
            PutDate(span, DateOnly.FromDayNumber((int)(seconds / SecondsPerDay)));
            var s = (int)(seconds % SecondsPerDay);
            span[10] = 'T';
            Put2(span, 11, s / 3600);
            span[13] = ':';
            Put2(span, 14, s / 60 % 60);
            span[16] = ':';
            Put2(span, 17, s % 60);
            span[19] = 'Z';
            length += 20;
            return this;
        }

        private static void PutDate(Span<char> span, DateOnly date)
        {
            var y = date.Year;
            span[0] = (char)('0' + (y / 1000));
            span[1] = (char)('0' + (y / 100 % 10));
            span[2] = (char)('0' + (y / 10 % 10));
            span[3] = (char)('0' + (y % 10));
            span[4] = '-';
            Put2(span, 5, date.Month);
            span[7] = '-';
            Put2(span, 8, date.Day);
        }

        private static void Put2(Span<char> span, int at, int v)
        {
            span[at] = (char)('0' + (v / 10));
            span[at + 1] = (char)('0' + (v % 10));
        }

        public void End()
        {
            Room(1)[0] = '\n';
            length++;
            writer.Write(buffer, 0, length);
            length = 0;
            fields = 0;
            Rows++;
        }

        public void Dispose() => writer.Dispose();
    }
}
