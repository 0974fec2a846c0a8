namespace CustomerHealth.Store.Tests.Architecture.Fixture.Generics;

/// <summary>Names a type of <see cref="Targets"/> only as a generic argument of a parameter.</summary>
internal static class InGenericArgument
{
    public static bool Given(IReadOnlyList<Func<Targets.Target>>? items) => items is not null;
}
