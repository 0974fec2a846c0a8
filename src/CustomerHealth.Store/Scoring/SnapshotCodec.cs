using System.Text;
using CustomerHealth.Core.Measures;
using CustomerHealth.Core.Scoring;

namespace CustomerHealth.Store.Scoring;

/// <summary>
/// A snapshot's measures in a compact binary form, in the model version's measure order: for each, flags, the raw
/// value (number or text), the measure score and the effective weight.
/// </summary>
internal static class SnapshotCodec
{
    private const byte Missing = 1, Stale = 2, IsText = 4, NoValue = 8;

    public static byte[] Encode(ScoredMeasure[] measures)
    {
        using var ms = new MemoryStream(measures.Length * 26 + 2);
        using var w = new BinaryWriter(ms, Encoding.UTF8);
        w.Write((ushort)measures.Length);
        foreach (var m in measures)
        {
            byte flags = 0;
            if (m.Missing)
            {
                flags |= Missing;
            }
            if (m.Stale)
            {
                flags |= Stale;
            }
            if (m.Value.IsText)
            {
                flags |= IsText;
            }
            if (m.Value.IsMissing)
            {
                flags |= NoValue;
            }
            w.Write(flags);
            if (m.Value.IsText)
            {
                w.Write(m.Value.Text!);
            }
            else
            {
                w.Write(m.Value.Number);
            }
            w.Write(m.Score);
            w.Write(m.EffectiveWeight);
        }
        w.Flush();
        return ms.ToArray();
    }

    /// <summary>
    /// Accounts' scorecards and raw measure values, unscored (a share's part of a split rescore, for the others'
    /// percentile cohorts): the count, then for each its scorecard index and its values' flags and numbers or texts.
    /// </summary>
    public static byte[] EncodeValues(IReadOnlyList<(int Card, MeasureValue[] Values)> accounts)
    {
        using var ms = new MemoryStream();
        using var w = new BinaryWriter(ms, Encoding.UTF8);
        w.Write(accounts.Count);
        foreach (var (card, values) in accounts)
        {
            w.Write(card);
            w.Write((ushort)values.Length);
            foreach (var v in values)
            {
                w.Write((byte)((v.IsText ? IsText : 0) | (v.IsMissing ? NoValue : 0) | (v.IsStale ? Stale : 0)));
                if (v.IsText)
                {
                    w.Write(v.Text!);
                }
                else if (!v.IsMissing)
                {
                    w.Write(v.Number);
                }
            }
        }
        w.Flush();
        return ms.ToArray();
    }

    public static List<(int Card, MeasureValue[] Values)> DecodeValues(byte[] data)
    {
        using var r = new BinaryReader(new MemoryStream(data), Encoding.UTF8);
        var n = r.ReadInt32();
        var result = new List<(int, MeasureValue[])>(n);
        for (var i = 0; i < n; i++)
        {
            var card = r.ReadInt32();
            var values = new MeasureValue[r.ReadUInt16()];
            for (var j = 0; j < values.Length; j++)
            {
                var flags = r.ReadByte();
                values[j] = (flags & IsText) != 0 ? MeasureValue.OfText(r.ReadString())
                    : (flags & NoValue) != 0 ? ((flags & Stale) != 0 ? MeasureValue.StaleValue : MeasureValue.Missing)
                    : MeasureValue.Of(r.ReadDouble());
            }
            result.Add((card, values));
        }
        return result;
    }

    public static ScoredMeasure[] Decode(byte[] data)
    {
        using var r = new BinaryReader(new MemoryStream(data), Encoding.UTF8);
        var n = r.ReadUInt16();
        var result = new ScoredMeasure[n];
        for (var i = 0; i < n; i++)
        {
            var flags = r.ReadByte();
            MeasureValue value;
            if ((flags & IsText) != 0)
            {
                value = MeasureValue.OfText(r.ReadString());
            }
            else
            {
                var number = r.ReadDouble();
                value = (flags & NoValue) != 0 ? ((flags & Stale) != 0 ? MeasureValue.StaleValue : MeasureValue.Missing) : MeasureValue.Of(number);
            }
            result[i] = new ScoredMeasure(value, r.ReadDouble(), r.ReadDouble(), (flags & Missing) != 0, (flags & Stale) != 0);
        }
        return result;
    }
}
