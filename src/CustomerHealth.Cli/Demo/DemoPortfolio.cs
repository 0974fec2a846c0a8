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
internal static partial class DemoPortfolio
{
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
    private sealed partial class Simulator(Files files, int first, int last, List<int> incidents)
    {
        private Account a = null!;
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
