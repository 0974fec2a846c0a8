namespace CustomerHealth.Store.Tests.Architecture.Fixture.CycleB;

/// <summary>The other half of the cycle.</summary>
internal static class Pong
{
    public static int Once(int n) => n <= 0 ? 1 : CycleA.Ping.Once(n - 1);
}
