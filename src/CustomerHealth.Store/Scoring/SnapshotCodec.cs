using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using CustomerHealth.Core.Measures;
using CustomerHealth.Core.Scoring;
using CustomerHealth.Store.Engines;

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
        // Written straight into an array of the exact size, as BinaryWriter would write it (little-endian; a text as
        // its UTF-8 length, 7 bits a byte, then its bytes): a snapshot is encoded for every account a run scores.
        var size = 2;
        foreach (var m in measures)
        {
            size += 1 + 16 + (m.Value.IsText ? TextSize(m.Value.Text!) : 8);
        }
        var data = new byte[size];
        var span = data.AsSpan();
        BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)measures.Length);
        var at = 2;
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
            span[at++] = flags;
            if (m.Value.IsText)
            {
                var text = m.Value.Text!;
                at += UsageBlocks.WriteVarint(span[at..], (ulong)Encoding.UTF8.GetByteCount(text));
                at += Encoding.UTF8.GetBytes(text, span[at..]);
            }
            else
            {
                BinaryPrimitives.WriteDoubleLittleEndian(span[at..], m.Value.Number);
                at += 8;
            }
            BinaryPrimitives.WriteDoubleLittleEndian(span[at..], m.Score);
            BinaryPrimitives.WriteDoubleLittleEndian(span[(at + 8)..], m.EffectiveWeight);
            at += 16;
        }
        return data;
    }

    /// <summary>How many bytes a text takes as BinaryWriter writes it: its UTF-8 length, 7 bits a byte, then its bytes.</summary>
    private static int TextSize(string text)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        return 1 + BitOperations.Log2((uint)length | 1) / 7 + length;
    }

    /// <summary>
    /// Accounts' scorecards and raw measure values, unscored (a share's part of a split rescore, for the others'
    /// percentile cohorts): the count, then for each its scorecard index and its values, each as a snapshot writes it.
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
                WriteValue(w, v);
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
                values[j] = ReadValue(r, r.ReadByte());
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
            var value = ReadValue(r, flags);
            result[i] = new ScoredMeasure(value, r.ReadDouble(), r.ReadDouble(), (flags & Missing) != 0, (flags & Stale) != 0);
        }
        return result;
    }

    /// <summary>A raw value: its text, or its number (written for a missing value too).</summary>
    private static void WriteValue(BinaryWriter w, MeasureValue value)
    {
        if (value.IsText)
        {
            w.Write(value.Text!);
        }
        else
        {
            w.Write(value.Number);
        }
    }

    /// <summary>A raw value written by <see cref="WriteValue"/>, told apart by its flags (<see cref="IsText"/>, <see cref="NoValue"/>, <see cref="Stale"/>).</summary>
    private static MeasureValue ReadValue(BinaryReader r, byte flags)
    {
        if ((flags & IsText) != 0)
        {
            return MeasureValue.OfText(r.ReadString());
        }
        var number = r.ReadDouble();
        return (flags & NoValue) != 0 ? ((flags & Stale) != 0 ? MeasureValue.StaleValue : MeasureValue.Missing) : MeasureValue.Of(number);
    }
}
