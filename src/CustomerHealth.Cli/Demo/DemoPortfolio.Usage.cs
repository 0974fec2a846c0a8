using System.Globalization;

namespace CustomerHealth.Cli.Demo;

// Product usage: each seat's user logs in and works as the account's health allows; integrations and API calls.
internal static partial class DemoPortfolio
{
    private sealed partial class Simulator
    {
        private long eventSeq;
        private readonly List<double> userThreshold = [];
        private readonly List<double> userRate = [];
        private readonly List<string> userIds = [];

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
    }
}
