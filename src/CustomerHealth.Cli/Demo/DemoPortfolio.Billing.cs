namespace CustomerHealth.Cli.Demo;

// The contract and its money: renewals, expansions, contractions, churn and reactivation (subscriptions.csv), and invoices.
internal static partial class DemoPortfolio
{
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

    private sealed partial class Simulator
    {
        private long invoiceSeq;
        private long subscriptionSeq;
        private readonly List<Invoice> invoices = [];

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
            ChurnDays.Add(d);
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
    }
}
