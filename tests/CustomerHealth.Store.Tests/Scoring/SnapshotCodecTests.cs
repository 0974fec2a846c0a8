using System.Text;
using CustomerHealth.Core.Measures;
using CustomerHealth.Core.Scoring;
using CustomerHealth.Store.Scoring;

namespace CustomerHealth.Store.Tests.Scoring;

/// <summary>
/// A snapshot's measures as stored: the encoding every stored snapshot has (that of .NET's BinaryWriter), so that the
/// snapshots of every earlier version read back the same.
/// </summary>
public sealed class SnapshotCodecTests
{
    private static readonly ScoredMeasure[] Measures =
    [
        new(MeasureValue.Of(12.5), 80, 0.25, false, false),
        new(MeasureValue.Missing, 50, 0, true, false),
        new(MeasureValue.StaleValue, double.NaN, 0, true, true),
        new(MeasureValue.OfText("enterprise"), 100, 0.1, false, false),
        new(MeasureValue.OfText(""), 0, 0, false, false),
        // A text longer than 127 bytes takes two bytes of length; non-ASCII letters take more than a byte each.
        new(MeasureValue.OfText(new string('é', 100) + "Zoë"), 30, 0.05, false, false),
        new(MeasureValue.OfText(new string('x', 20_000)), 1, 2, false, false),
        new(MeasureValue.Of(-0.0), double.PositiveInfinity, double.Epsilon, false, false),
    ];

    /// <summary>The encoding as BinaryWriter writes it, which the stored snapshots of every earlier version have.</summary>
    private static byte[] AsBinaryWriterWrites(ScoredMeasure[] measures)
    {
        using var ms = new MemoryStream();
        using var w = new BinaryWriter(ms, Encoding.UTF8);
        w.Write((ushort)measures.Length);
        foreach (var m in measures)
        {
            w.Write((byte)((m.Missing ? 1 : 0) | (m.Stale ? 2 : 0) | (m.Value.IsText ? 4 : 0) | (m.Value.IsMissing ? 8 : 0)));
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

    [Fact]
    public void Encode_WritesWhatTheStoredSnapshotsHold_ByteForByte()
    {
        SnapshotCodec.Encode(Measures).ShouldBe(AsBinaryWriterWrites(Measures));
        SnapshotCodec.Encode([]).ShouldBe(AsBinaryWriterWrites([]));
    }

    [Fact]
    public void Decode_OfEncode_GivesEveryMeasureBack()
    {
        var back = SnapshotCodec.Decode(SnapshotCodec.Encode(Measures));
        back.Length.ShouldBe(Measures.Length);
        for (var i = 0; i < Measures.Length; i++)
        {
            back[i].Value.ShouldBe(Measures[i].Value);
            back[i].Score.ShouldBe(Measures[i].Score);
            back[i].EffectiveWeight.ShouldBe(Measures[i].EffectiveWeight);
            back[i].Missing.ShouldBe(Measures[i].Missing);
            back[i].Stale.ShouldBe(Measures[i].Stale);
        }
    }
}
