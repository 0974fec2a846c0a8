using MathNet.Numerics;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace CustomerHealth.Core.Measures;

/// <summary>
/// A customer's purchase history reduced to what BG/NBD needs. Frequency x: repeat purchases (distinct purchase days
/// after the first). Recency t_x: time from the first purchase to the last. T: time from the first purchase to the
/// as-of date. Recency and T share one unit (the product uses days).
/// </summary>
public readonly record struct RfmSummary(double Frequency, double Recency, double T);

/// <summary>Fitted BG/NBD parameters (Fader, Hardie &amp; Lee 2005) and the maximised log-likelihood.</summary>
public sealed record BgNbdFit(double R, double Alpha, double A, double B, double LogLikelihood)
{
    /// <summary>P(alive | x, t_x, T): the probability that the customer has not dropped out by T.</summary>
    public double PAlive(RfmSummary c)
    {
        if (c.Frequency <= 0)
        {
            return 1.0;
        }

        // The odds of having dropped out; in log space because ((alpha+T)/(alpha+t_x))^(r+x) overflows for busy customers.
        var x = c.Frequency;
        var logOdds = Math.Log(A) - Math.Log(B + x - 1) + (R + x) * (Math.Log(Alpha + c.T) - Math.Log(Alpha + c.Recency));
        return logOdds > 0 ? Math.Exp(-logOdds) / (1 + Math.Exp(-logOdds)) : 1 / (1 + Math.Exp(logOdds));
    }
}

/// <summary>Maximum-likelihood fitting of the BG/NBD model and the RFM summary it is fitted on.</summary>
public static class BgNbd
{
    private const int MaxIterations = 1000;

    /// <summary>
    /// Fits r, alpha, a, b by maximum likelihood (eq. 6 of the paper). Deterministic: the same customers, in any order,
    /// give the same fit.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than 2 customers, no repeat purchases at all, or an invalid summary.</exception>
    /// <exception cref="InvalidOperationException">Neither optimiser converged (not seen on real data).</exception>
    public static BgNbdFit Fit(IReadOnlyList<RfmSummary> customers)
    {
        ArgumentNullException.ThrowIfNull(customers);
        if (customers.Count < 2)
        {
            throw new ArgumentException($"BG/NBD needs at least 2 customers to fit; got {customers.Count}.", nameof(customers));
        }

        var data = Grouped.From(customers);
        if (!data.AnyRepeat)
        {
            throw new ArgumentException("BG/NBD cannot be fitted: no customer has a repeat purchase (every frequency is 0).", nameof(customers));
        }

        var start = Vector<double>.Build.Dense([0.0, Math.Log(Math.Max(data.MeanT, 1e-3)), 0.0, 0.0]);
        var best = Minimise(data, start);
        var p = best.MinimizingPoint;
        return new BgNbdFit(Math.Exp(p[0]), Math.Exp(p[1]), Math.Exp(p[2]), Math.Exp(p[3]), -best.FunctionInfoAtMinimum.Value * data.Count);
    }

    /// <summary>
    /// The RFM summary of one customer from their order days (ascending, repeats allowed for several orders on a day),
    /// as of <paramref name="asOfDay"/>; recency and T are in days.
    /// </summary>
    /// <exception cref="ArgumentException">No orders, days not ascending, or an order after the as-of day.</exception>
    public static RfmSummary Summarize(ReadOnlySpan<int> orderDays, int asOfDay)
    {
        if (orderDays.IsEmpty)
        {
            throw new ArgumentException("A customer needs at least one order to be summarised.", nameof(orderDays));
        }

        var distinct = 1;
        for (var i = 1; i < orderDays.Length; i++)
        {
            if (orderDays[i] < orderDays[i - 1])
            {
                throw new ArgumentException($"Order days must be ascending: {orderDays[i]} follows {orderDays[i - 1]}.", nameof(orderDays));
            }

            if (orderDays[i] != orderDays[i - 1])
            {
                distinct++;
            }
        }

        var first = orderDays[0];
        var last = orderDays[^1];
        if (last > asOfDay)
        {
            throw new ArgumentException($"Order day {last} is after the as-of day {asOfDay}.", nameof(orderDays));
        }

        return new RfmSummary(distinct - 1, last - first, asOfDay - first);
    }

    private static MinimizationResult Minimise(Grouped data, Vector<double> start)
    {
        var withGradient = ObjectiveFunction.Gradient(data.NegLogLikelihood);
        var bfgs = TryBfgs(withGradient, start);
        if (bfgs is not null)
        {
            return bfgs;
        }

        // BFGS's line search gives up on awkward surfaces (flat ridges, a far-off start); the simplex needs no gradient
        // and gets close, then BFGS is tried once more from there to finish precisely.
        MinimizationResult simplex;
        try
        {
            simplex = new NelderMeadSimplex(1e-12, 20 * MaxIterations)
                .FindMinimum(ObjectiveFunction.Value(v => data.NegLogLikelihood(v).Value), start);
        }
        catch (MaximumIterationsException e)
        {
            throw new InvalidOperationException($"The BG/NBD fit did not converge for {data.Count} customers.", e);
        }

        var polished = TryBfgs(withGradient, simplex.MinimizingPoint);
        return polished is not null && polished.FunctionInfoAtMinimum.Value <= simplex.FunctionInfoAtMinimum.Value ? polished : simplex;
    }

    private static MinimizationResult? TryBfgs(IObjectiveFunction objective, Vector<double> start)
    {
        try
        {
            var result = new BfgsMinimizer(1e-8, 1e-10, 1e-12, MaxIterations).FindMinimum(objective, start);
            return double.IsFinite(result.FunctionInfoAtMinimum.Value) ? result : null;
        }
        catch (Exception e) when (e is OptimizationException or ArithmeticException)
        {
            return null;
        }
    }

    /// <summary>
    /// Customers grouped by identical (x, t_x, T), and the groups by x, so each likelihood evaluation calls the gamma
    /// functions once per distinct x rather than once per customer.
    /// </summary>
    private sealed class Grouped
    {
        private readonly double[] _x;          // distinct frequencies
        private readonly int[] _xEnd;          // groups [xEnd[k-1], xEnd[k]) have frequency _x[k]
        private readonly double[] _recency;
        private readonly double[] _t;
        private readonly double[] _count;
        private readonly int _n;

        private Grouped(double[] x, int[] xEnd, double[] recency, double[] t, double[] count, int n, double meanT)
        {
            _x = x;
            _xEnd = xEnd;
            _recency = recency;
            _t = t;
            _count = count;
            _n = n;
            MeanT = meanT;
        }

        public double MeanT { get; }

        public int Count => _n;

        public bool AnyRepeat => _x[^1] > 0;

        public static Grouped From(IReadOnlyList<RfmSummary> customers)
        {
            var sorted = new RfmSummary[customers.Count];
            for (var i = 0; i < sorted.Length; i++)
            {
                var c = customers[i];
                Validate(c, i);
                // Recency carries no information without repeats; zeroing it lets such customers share a group.
                sorted[i] = c.Frequency == 0 ? c with { Recency = 0 } : c;
            }

            Array.Sort(sorted, static (p, q) =>
            {
                var byX = p.Frequency.CompareTo(q.Frequency);
                if (byX != 0)
                {
                    return byX;
                }

                var byRecency = p.Recency.CompareTo(q.Recency);
                return byRecency != 0 ? byRecency : p.T.CompareTo(q.T);
            });

            var xs = new List<double>();
            var xEnd = new List<int>();
            var recency = new List<double>();
            var t = new List<double>();
            var count = new List<double>();
            var sumT = 0.0;
            for (var i = 0; i < sorted.Length; i++)
            {
                var c = sorted[i];
                sumT += c.T;
                if (i > 0 && c == sorted[i - 1])
                {
                    count[^1]++;
                    continue;
                }

                if (xs.Count == 0 || xs[^1] != c.Frequency)
                {
                    if (xs.Count > 0)
                    {
                        xEnd.Add(recency.Count);
                    }

                    xs.Add(c.Frequency);
                }

                recency.Add(c.Recency);
                t.Add(c.T);
                count.Add(1);
            }

            xEnd.Add(recency.Count);
            return new Grouped([.. xs], [.. xEnd], [.. recency], [.. t], [.. count], sorted.Length, sumT / sorted.Length);
        }

        private static void Validate(RfmSummary c, int index)
        {
            if (!double.IsFinite(c.Frequency) || c.Frequency < 0 || c.Frequency != Math.Floor(c.Frequency))
            {
                throw new ArgumentException($"Customer {index}: frequency must be a whole number >= 0; got {c.Frequency}.", "customers");
            }

            if (!double.IsFinite(c.T) || !double.IsFinite(c.Recency) || c.Recency < 0 || c.Recency > c.T)
            {
                throw new ArgumentException($"Customer {index}: need 0 <= recency <= T; got recency {c.Recency}, T {c.T}.", "customers");
            }
        }

        /// <summary>
        /// Minus the mean log-likelihood per customer, and its gradient, at v = (ln r, ln alpha, ln a, ln b). Per customer (eq. 6):
        /// ln L = lnA1 + lnA2 + ln(e^lnA3 + [x&gt;0] e^lnA4).
        /// </summary>
        public (double Value, Vector<double> Gradient) NegLogLikelihood(Vector<double> v)
        {
            double r = Math.Exp(v[0]), alpha = Math.Exp(v[1]), a = Math.Exp(v[2]), b = Math.Exp(v[3]);
            double lnAlpha = Math.Log(alpha), lgR = SpecialFunctions.GammaLn(r), lgB = SpecialFunctions.GammaLn(b);
            double lgAb = SpecialFunctions.GammaLn(a + b), psiR = SpecialFunctions.DiGamma(r), psiB = SpecialFunctions.DiGamma(b);
            double psiAb = SpecialFunctions.DiGamma(a + b);

            double ll = 0, dR = 0, dAlpha = 0, dA = 0, dB = 0;
            var from = 0;
            for (var k = 0; k < _x.Length; k++)
            {
                var x = _x[k];
                var to = _xEnd[k];
                var lnA1 = SpecialFunctions.GammaLn(r + x) - lgR + r * lnAlpha;
                var lnA2 = lgAb + SpecialFunctions.GammaLn(b + x) - lgB - SpecialFunctions.GammaLn(a + b + x);
                var psiAbx = SpecialFunctions.DiGamma(a + b + x);
                var dA1dR = SpecialFunctions.DiGamma(r + x) - psiR + lnAlpha;
                var dA2dA = psiAb - psiAbx;
                var dA2dB = psiAb + SpecialFunctions.DiGamma(b + x) - psiB - psiAbx;
                var lnA4Const = x > 0 ? Math.Log(a) - Math.Log(b + x - 1) : 0;
                var rx = r + x;

                double n = 0, sumLse = 0, sumW4 = 0, dRest = 0, dAlphaRest = 0;
                for (var g = from; g < to; g++)
                {
                    var w = _count[g];
                    var lnAlphaT = Math.Log(alpha + _t[g]);
                    var lnA3 = -rx * lnAlphaT;
                    double lse, w4 = 0, dLseDr, dLseDalpha;
                    if (x > 0)
                    {
                        var lnAlphaTx = Math.Log(alpha + _recency[g]);
                        var lnA4 = lnA4Const - rx * lnAlphaTx;
                        var m = Math.Max(lnA3, lnA4);
                        double e3 = Math.Exp(lnA3 - m), e4 = Math.Exp(lnA4 - m);
                        lse = m + Math.Log(e3 + e4);
                        w4 = e4 / (e3 + e4);
                        var w3 = 1 - w4;
                        dLseDr = -(w3 * lnAlphaT + w4 * lnAlphaTx);
                        dLseDalpha = -rx * (w3 / (alpha + _t[g]) + w4 / (alpha + _recency[g]));
                    }
                    else
                    {
                        lse = lnA3;
                        dLseDr = -lnAlphaT;
                        dLseDalpha = -rx / (alpha + _t[g]);
                    }

                    n += w;
                    sumLse += w * lse;
                    sumW4 += w * w4;
                    dRest += w * dLseDr;
                    dAlphaRest += w * dLseDalpha;
                }

                ll += n * (lnA1 + lnA2) + sumLse;
                dR += n * dA1dR + dRest;
                dAlpha += n * r / alpha + dAlphaRest;
                dA += n * dA2dA + sumW4 / a;
                dB += n * dA2dB - (x > 0 ? sumW4 / (b + x - 1) : 0);
                from = to;
            }

            // Chain rule to the log-parameters: d/d(ln p) = p d/dp.
            // Per customer, so that the optimiser's absolute tolerances mean the same for any number of customers.
            var perCustomer = -1.0 / _n;
            var gradient = Vector<double>.Build.Dense([perCustomer * r * dR, perCustomer * alpha * dAlpha, perCustomer * a * dA, perCustomer * b * dB]);
            return (double.IsFinite(ll) ? perCustomer * ll : double.PositiveInfinity, gradient);
        }
    }
}
