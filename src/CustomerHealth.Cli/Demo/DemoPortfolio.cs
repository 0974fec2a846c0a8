using CustomerHealth.Core.Alerts;

namespace CustomerHealth.Cli.Demo;

/// <summary>
/// What <see cref="DemoPortfolio.Write"/> produced: the folder, the number of accounts, the number of rows in
/// usage.csv (each row may stand for several events through its `count`), the accounts churned at the end, and for
/// every account the days it churned with the team's play and without it (<see cref="DemoPlay"/>).
/// </summary>
internal sealed record DemoFiles(string Dir, int Accounts, long UsageEvents, int Churned, IReadOnlyDictionary<string, DemoPlay> Plays);

/// <summary>
/// One demo account's two histories: the days it churned as simulated (the team played when its health fell low,
/// unless it is in the `entered-red` hold-out) and as it would have gone the other way (played if held out, not played
/// otherwise), from the same random draws. Their difference is the true effect of the play.
/// </summary>
internal sealed record DemoPlay(bool HeldOut, IReadOnlyList<int> ChurnDays, IReadOnlyList<int> OtherWayChurnDays)
{
    /// <summary>The days it churned with the play and without it.</summary>
    public (IReadOnlyList<int> With, IReadOnlyList<int> Without) Outcomes => HeldOut ? (OtherWayChurnDays, ChurnDays) : (ChurnDays, OtherWayChurnDays);
}

/// <summary>
/// Writes a realistic B2B SaaS demo portfolio as the CSV import files of SPEC §3 (accounts, usage, surveys, tickets,
/// invoices, subscriptions, sentiment). Every account follows a hidden latent health h(t) in [0, 1]: a mean-reverting
/// random walk with weekly steps, slow declines for some accounts, and shocks (product-wide outages, a champion
/// leaving, a new sponsor). That one process drives every signal and the churn, so a good health model can recover
/// it from the files. The simulated CS team plays too: when an account's health falls below <see cref="PlayBelow"/>
/// (about when its score turns red) the owner calls within a week, unless the account is in the hold-out of the
/// shipped `entered-red` rule (<see cref="Holdout"/>), and a completed call lifts its health and outlook (the planted
/// effect <see cref="PlayLift"/>, <see cref="PlayOutlook"/>). The output depends only on the arguments.
/// </summary>
internal static partial class DemoPortfolio
{
    /// <summary>The rule whose hold-out the simulated team respects, and its share (as in the shipped rules).</summary>
    public const string PlayRule = "entered-red";

    public const double PlayHoldout = 0.10;

    /// <summary>The health under which the team plays; at most once in <see cref="PlayCooldownDays"/>, done <see cref="PlayDelayDays"/> later.</summary>
    private const double PlayBelow = 0.30;

    private const int PlayCooldownDays = 90;

    private const int PlayDelayDays = 7;

    /// <summary>The planted effect of a completed call: the health it adds at once, and what it adds to the level the health returns to.</summary>
    public const double PlayLift = 0.05;

    public const double PlayOutlook = 0.10;

    private const double Theta = 0.10;
    private const int SecondsPerDay = 86_400;

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
        bool HeldOut(string id) => Holdout.IsHeldOut(PlayRule, id, PlayHoldout);
        var histories = new List<(bool Met, List<int> ChurnDays)>();
        using (var files = new Files(dir))
        {
            var sim = new Simulator(files, first, last, incidents, id => !HeldOut(id));
            for (var i = 0; i < profiles.Count; i++)
            {
                sim.Run(profiles[i], new Random(DeriveSeed(seed, i)));
                histories.Add((sim.Met, [.. sim.ChurnDays]));
                if (profiles[i].ChurnedDay is not null)
                {
                    churned++;
                }
            }
            WriteAccounts(files.Accounts, profiles, end);
            usageRows = files.Usage.Rows;
        }

        // The other way: each account the team met again, from the same draws, with the play where it was held out and
        // without it where it was played (the accounts made afresh: a run changes its account).
        var plays = new Dictionary<string, DemoPlay>(StringComparer.Ordinal);
        var again = CreateAccounts(accounts, first, last, new Random(seed), new Bogus.Faker("en") { Random = new Bogus.Randomizer(seed) });
        using (var nowhere = new Files(null))
        {
            var twin = new Simulator(nowhere, first, last, incidents, HeldOut);
            for (var i = 0; i < profiles.Count; i++)
            {
                var (met, days) = histories[i];
                if (met)
                {
                    twin.Run(again[i], new Random(DeriveSeed(seed, i)));
                }
                plays[profiles[i].Id] = new DemoPlay(HeldOut(profiles[i].Id), days, met ? [.. twin.ChurnDays] : days);
            }
        }
        return new DemoFiles(dir, accounts, usageRows, churned, plays);
    }

    /// <summary>
    /// The true effect of the play on churn within <paramref name="horizonDays"/> after each alert whose horizon ended by
    /// <paramref name="end"/>: the share of them followed by a churn with the play, and without it (<see cref="DemoPlay.Outcomes"/>).
    /// </summary>
    public static (int Alerts, double With, double Without) TrueEffect(
        IEnumerable<(string AccountId, DateOnly Opened)> alerts, IReadOnlyDictionary<string, DemoPlay> plays, int horizonDays, DateOnly end)
    {
        int judged = 0, with = 0, without = 0;
        foreach (var (id, opened) in alerts)
        {
            var t = opened.DayNumber;
            if (t + horizonDays > end.DayNumber || !plays.TryGetValue(id, out var play))
            {
                continue;
            }
            judged++;
            with += PlayEffect.ChurnedWithin(play.Outcomes.With, t, horizonDays) ? 1 : 0;
            without += PlayEffect.ChurnedWithin(play.Outcomes.Without, t, horizonDays) ? 1 : 0;
        }
        return judged == 0 ? (0, double.NaN, double.NaN) : (judged, (double)with / judged, (double)without / judged);
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

    /// <summary>
    /// Simulates one account at a time over the period and streams its signals to the files: the day loop and the
    /// latent health here; usage, tickets, the contract and its invoices, and what people say in their own files.
    /// </summary>
    private sealed partial class Simulator(Files files, int first, int last, List<int> incidents, Func<string, bool> plays)
    {
        private Account a = null!;
        private int playDay;
        private int lastLow;

        /// <summary>Whether the account's health fell below <see cref="PlayBelow"/> in the run (the team met it, played or held out).</summary>
        public bool Met { get; private set; }

        /// <summary>The days the account churned in the run.</summary>
        public List<int> ChurnDays { get; } = [];

        private Random r = null!;
        private double h;
        private double mu;
        private bool alive;
        private int reactivateDay;
        private int nextRenewal;

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
            playDay = -1;
            lastLow = int.MinValue / 2;
            Met = false;
            ChurnDays.Clear();

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
                    if (alive && h < PlayBelow && d - lastLow >= PlayCooldownDays)
                    {
                        // The team notices (no random draw, so both ways run alike until a play lands).
                        lastLow = d;
                        Met = true;
                        playDay = plays(a.Id) ? d + PlayDelayDays : playDay;
                    }
                }
                if (d == playDay)
                {
                    playDay = -1;
                    if (alive)
                    {
                        mu = Math.Min(0.92, mu + PlayOutlook);
                        h = Math.Min(0.98, h + PlayLift);
                    }
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
    }
}
