namespace CustomerHealth.Store.Tests.Architecture.Fixture.Lambdas;

/// <summary>Uses <see cref="Targets.Target"/> only inside a lambda (a method of a compiler-made closure class).</summary>
internal static class InLambda
{
    public static Func<int> Make() => () => Targets.Target.Count();
}
