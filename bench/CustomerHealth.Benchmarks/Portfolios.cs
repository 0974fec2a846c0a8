using System.Globalization;
using System.Text;

namespace CustomerHealth.Benchmarks;

/// <summary>Synthetic import files for the benchmarks, deterministic for a seed.</summary>
internal static class Portfolios
{
    public static readonly DateOnly End = new(2025, 6, 30);

    public static void WriteUsage(string path, int accounts, long events, int days, int seed)
    {
        var rnd = new Random(seed);
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        w.Write("account_id,occurred_at,event,user_id,event_id\n");
        var start = End.AddDays(-days + 1).ToDateTime(TimeOnly.MinValue);
        for (long i = 0; i < events; i++)
        {
            var a = rnd.Next(accounts);
            var t = start.AddSeconds(rnd.NextDouble() * days * 86400);
            w.Write(string.Create(CultureInfo.InvariantCulture, $"A{a:000000},{t:yyyy-MM-dd'T'HH:mm:ss'Z'},ev{rnd.Next(8)},A{a:000000}-u{rnd.Next(25)},e{i}\n"));
        }
    }

    /// <summary>
    /// Usage shaped like a product's: each account has its own users and level of activity (log-normal across the
    /// portfolio); on each day an account holds a Poisson number of sessions; a session is one user (power users come
    /// back more) doing a run of events, mostly of one kind. The file is in day order, like an export. Returns the
    /// number of events written (about <paramref name="targetEvents"/>).
    /// </summary>
    public static long WriteSessionUsage(string path, int accounts, long targetEvents, int days, int seed)
    {
        const double MeanSession = 6.5; // 1 + the floor of an exponential of mean 6
        var rnd = new Random(seed);
        var users = new int[accounts];
        var weight = new double[accounts];
        double total = 0;
        for (var a = 0; a < accounts; a++)
        {
            users[a] = rnd.Next(5, 41);
            var normal = Math.Sqrt(-2 * Math.Log(1 - rnd.NextDouble())) * Math.Cos(2 * Math.PI * rnd.NextDouble());
            weight[a] = Math.Min(Math.Exp(normal), 20);
            total += weight[a];
        }
        var perDay = new double[accounts];
        for (var a = 0; a < accounts; a++)
        {
            perDay[a] = targetEvents / MeanSession * weight[a] / total / days;
        }
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        w.Write("account_id,occurred_at,event,user_id,event_id\n");
        var start = End.AddDays(-days + 1).ToDateTime(TimeOnly.MinValue);
        long id = 0;
        for (var d = 0; d < days; d++)
        {
            var day = start.AddDays(d);
            for (var a = 0; a < accounts; a++)
            {
                // Poisson by inversion of products (rates here are small).
                var limit = Math.Exp(-perDay[a]);
                var sessions = -1;
                for (var p = 1.0; p > limit; p *= rnd.NextDouble())
                {
                    sessions++;
                }
                for (var s = 0; s < sessions; s++)
                {
                    var u = (int)(users[a] * Math.Pow(rnd.NextDouble(), 2));
                    var main = (int)(8 * Math.Pow(rnd.NextDouble(), 2));
                    var length = 1 + (int)(-Math.Log(1 - rnd.NextDouble()) * 6.0);
                    var t = day.AddSeconds(rnd.Next(7 * 3600, 20 * 3600));
                    for (var e = 0; e < length; e++)
                    {
                        var kind = rnd.NextDouble() < 0.75 ? main : rnd.Next(8);
                        w.Write(string.Create(CultureInfo.InvariantCulture, $"A{a:000000},{t:yyyy-MM-dd'T'HH:mm:ss'Z'},ev{kind},A{a:000000}-u{u},e{id++}\n"));
                        t = t.AddSeconds(rnd.Next(5, 120));
                    }
                }
            }
        }
        return id;
    }

    /// <summary>Accounts plus a few signals of each kind the 20-measure model reads.</summary>
    public static void WriteOthers(string dir, int accounts, int seed)
    {
        var rnd = new Random(seed);
        using (var w = new StreamWriter(Path.Combine(dir, "accounts.csv")))
        {
            w.Write("account_id,name,segment,arr,seats,started_on\n");
            for (var a = 0; a < accounts; a++)
            {
                w.Write(string.Create(CultureInfo.InvariantCulture, $"A{a:000000},Account {a},{(a % 3 == 0 ? "SMB" : "Mid-Market")},{rnd.Next(5, 200) * 1000},{rnd.Next(5, 60)},{End.AddDays(-rnd.Next(100, 1500)):yyyy-MM-dd}\n"));
            }
        }
        using (var w = new StreamWriter(Path.Combine(dir, "surveys.csv")))
        {
            w.Write("account_id,kind,score,responded_at\n");
            for (var a = 0; a < accounts; a++)
            {
                for (var k = rnd.Next(3); k >= 0; k--)
                {
                    w.Write(string.Create(CultureInfo.InvariantCulture, $"A{a:000000},nps,{rnd.Next(11)},{End.AddDays(-rnd.Next(120)):yyyy-MM-dd}T12:00:00Z\n"));
                }
            }
        }
        using (var w = new StreamWriter(Path.Combine(dir, "tickets.csv")))
        {
            w.Write("ticket_id,account_id,opened_at,priority,status,closed_at,escalated\n");
            var id = 0;
            for (var a = 0; a < accounts; a++)
            {
                for (var k = rnd.Next(4); k > 0; k--)
                {
                    var opened = End.AddDays(-rnd.Next(120));
                    var open = rnd.NextDouble() < 0.2;
                    w.Write(string.Create(CultureInfo.InvariantCulture, $"T{id++},A{a:000000},{opened:yyyy-MM-dd}T09:00:00Z,{(rnd.NextDouble() < 0.2 ? "high" : "normal")},{(open ? "open" : "closed")},{(open ? "" : opened.AddDays(2).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "T09:00:00Z")},{(rnd.NextDouble() < 0.1 ? "true" : "false")}\n"));
                }
            }
        }
        using (var w = new StreamWriter(Path.Combine(dir, "invoices.csv")))
        {
            w.Write("invoice_id,account_id,amount,due_on,paid_on,status\n");
            var id = 0;
            for (var a = 0; a < accounts; a++)
            {
                for (var m = 0; m < 3; m++)
                {
                    var due = End.AddDays(-30 * m - 5);
                    var late = rnd.NextDouble() < 0.15;
                    w.Write(string.Create(CultureInfo.InvariantCulture, $"I{id++},A{a:000000},{rnd.Next(100, 5000)},{due:yyyy-MM-dd},{(late ? "" : due.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))},{(late ? "open" : "paid")}\n"));
                }
            }
        }
    }
}
