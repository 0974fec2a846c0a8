using CustomerHealth.Store;
using CustomerHealth.Store.Access;
using CustomerHealth.Store.Alerts;
using CustomerHealth.Store.Deliveries;
using CustomerHealth.Store.Drafts;
using CustomerHealth.Store.Import;
using CustomerHealth.Store.Models;
using CustomerHealth.Store.Reading;
using CustomerHealth.Store.Scoring;

namespace CustomerHealth.Web;

/// <summary>
/// The store's operations that endpoints and pages use, each built once per request (a scope) on the request's
/// connection (<see cref="StoreDb"/>, opened by <see cref="StoreAccess"/>) and the app's clock, and injected where
/// needed: no handler builds them itself. Background jobs open their own connections and build their own.
/// </summary>
internal static class StoreServices
{
    public static IServiceCollection AddStoreServices(this IServiceCollection services) => services
        .AddScoped<ModelVersions>()
        .AddScoped<DraftModel>()
        .AddScoped<AccountReader>()
        .AddScoped<AccountTimeline>()
        .AddScoped<PortfolioReader>()
        .AddScoped<PortfolioTrends>()
        .AddScoped<SegmentReader>()
        .AddScoped<SurveyReader>()
        .AddScoped<SourceReader>()
        .AddScoped<TouchReader>()
        .AddScoped<TeamReader>()
        .AddScoped<TodayReader>()
        .AddScoped<OverrideBook>()
        .AddScoped<AlertBook>()
        .AddScoped<Outbox>()
        .AddScoped<Importer>()
        .AddScoped<People>()
        .AddScoped<AccessBook>();
}
