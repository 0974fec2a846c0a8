namespace CustomerHealth.Store.Tests.Architecture.Fixture.Targets;

/// <summary>What the other fixture folders use, each in one way only (for <see cref="StoreFolderCyclesTests"/>).</summary>
internal sealed record Target(int Value)
{
    public static int Count() => 1;
}
