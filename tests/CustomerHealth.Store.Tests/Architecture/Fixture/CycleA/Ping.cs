namespace CustomerHealth.Store.Tests.Architecture.Fixture.CycleA;

/// <summary>One half of a cycle between two fixture folders.</summary>
internal static class Ping
{
    public static int Once(int n) => n <= 0 ? 0 : CycleB.Pong.Once(n - 1);
}
