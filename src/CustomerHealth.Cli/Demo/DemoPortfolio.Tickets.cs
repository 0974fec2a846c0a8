namespace CustomerHealth.Cli.Demo;

// Support tickets: more and worse as health falls, bursts after incidents; their CSAT answers.
internal static partial class DemoPortfolio
{
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

    private sealed partial class Simulator
    {
        private long ticketSeq;
        private readonly List<Ticket> tickets = [];
        private int outageTicketsLeft;

        private long EndSecond => ((long)last + 1) * SecondsPerDay;

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
    }
}
