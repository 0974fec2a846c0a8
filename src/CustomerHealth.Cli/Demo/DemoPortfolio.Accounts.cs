using System.Globalization;
using System.Text;

namespace CustomerHealth.Cli.Demo;

// The accounts and their people: segment, plan, owner, contract size, the latent health's parameters, contacts; and accounts.csv.
internal static partial class DemoPortfolio
{
    private static readonly string[] Owners =
    [
        "maria.lopez@example.com", "james.chen@example.com", "aisha.khan@example.com", "tom.becker@example.com",
        "priya.nair@example.com", "lucas.martin@example.com", "emma.johansson@example.com", "david.okafor@example.com",
    ];

    // A CSM's book is a little better or worse than the others', so the team page has something to show.
    private static readonly double[] OwnerEffect = [0.03, 0.0, -0.02, 0.02, -0.04, 0.01, 0.0, -0.01];

    private static readonly string[] Regions = ["EMEA", "APAC", "North America", "LATAM", "DACH", "Nordics", "UK"];

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
}
