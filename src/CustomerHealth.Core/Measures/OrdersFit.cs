namespace CustomerHealth.Core.Measures;

/// <summary>The population's buying model that `p_alive` reads.</summary>
public static class OrdersFit
{
    /// <summary>
    /// The BG/NBD model fitted by maximum likelihood on every account's orders up to the day (churned accounts
    /// included: they are part of the population's buying history). Null when it cannot be fitted (fewer than 20
    /// customers, no repeat purchase yet, or no maximum found): `p_alive` is then missing.
    /// </summary>
    public static BgNbdFit? Of(IReadOnlyList<AccountData> accounts, int day)
    {
        var customers = new List<RfmSummary>();
        foreach (var a in accounts)
        {
            if (a.Orders.Length > 0 && a.Orders[0].Day <= day)
            {
                customers.Add(MeasureCalculator.OrderSummary(a, day));
            }
        }
        return Of(customers);
    }

    /// <summary>The same fit from each customer's summary (in the accounts' order), however they were computed.</summary>
    public static BgNbdFit? Of(List<RfmSummary> customers)
    {
        if (customers.Count < 20 || customers.All(c => c.Frequency == 0))
        {
            return null;
        }
        try
        {
            return BgNbd.Fit(customers);
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
