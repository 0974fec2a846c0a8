namespace CustomerHealth.Web.Auth;

/// <summary>
/// The route groups endpoints are mapped on, one per authorization policy of <see cref="Access"/>: an endpoint takes
/// its policy from the group it is mapped on, so who may call it reads from where it is mapped, never from the
/// endpoint itself. A key with the admin scope passes every policy. The app lists endpoints group by group, in the
/// order below: sending signals, changing, then reading.
/// </summary>
internal sealed class PolicyGroups(IEndpointRouteBuilder routes)
{
    /// <summary>Managers and admins; keys with the ingest scope.</summary>
    public RouteGroupBuilder Ingest { get; } = routes.MapGroup("").RequireAuthorization(Access.Ingest);

    /// <summary>CSMs, managers and admins (a CSM on their own accounts: the endpoint checks); keys with the ingest scope.</summary>
    public RouteGroupBuilder Sentiment { get; } = routes.MapGroup("").RequireAuthorization(Access.Sentiment);

    /// <summary>Managers and admins.</summary>
    public RouteGroupBuilder Manage { get; } = routes.MapGroup("").RequireAuthorization(Access.Manage);

    /// <summary>Admins.</summary>
    public RouteGroupBuilder Admin { get; } = routes.MapGroup("").RequireAuthorization(Access.Admin);

    /// <summary>Every signed-in person; keys with the read scope.</summary>
    public RouteGroupBuilder Read { get; } = routes.MapGroup("").RequireAuthorization(Access.Read);
}
