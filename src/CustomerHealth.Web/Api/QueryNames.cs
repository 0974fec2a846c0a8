using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;

namespace CustomerHealth.Web.Api;

/// <summary>
/// The API's query parameters are its documented snake_case names; one it does not know (a misspelling, or the
/// camelCase of a documented name) is a bad request that names it, rather than silently ignored and answered with
/// the wrong data.
/// </summary>
internal static class QueryNames
{
    public static TBuilder RefuseUnknownQueryParameters<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilterFactory((factory, next) =>
        {
            var known = factory.MethodInfo.GetParameters().Where(FromQuery).Select(Name).ToHashSet(StringComparer.Ordinal);
            return invocation =>
            {
                var route = invocation.HttpContext.Request.RouteValues;
                foreach (var key in invocation.HttpContext.Request.Query.Keys)
                {
                    if (known.Contains(key) && !route.ContainsKey(key))
                    {
                        continue;
                    }
                    var suggestion = known.FirstOrDefault(k => string.Equals(k, JsonNamingPolicy.SnakeCaseLower.ConvertName(key), StringComparison.Ordinal));
                    var detail = $"unknown query parameter `{key}`"
                        + (suggestion is not null ? $"; did you mean `{suggestion}`?" : known.Count == 0 ? "; this endpoint takes none" : $"; this endpoint takes {string.Join(", ", known.Order(StringComparer.Ordinal))}");
                    return ValueTask.FromResult<object?>(Problems.BadField(key, detail));
                }
                return next(invocation);
            };
        });

    private static string Name(ParameterInfo p) => p.GetCustomAttribute<FromQueryAttribute>()?.Name ?? p.Name!;

    /// <summary>What minimal APIs bind from the query string: a simple value that is not a route value, a service or a body.</summary>
    private static bool FromQuery(ParameterInfo p)
    {
        if (p.GetCustomAttribute<FromQueryAttribute>() is not null)
        {
            return true;
        }
        if (p.GetCustomAttributes().Any(a => a is FromRouteAttribute or FromBodyAttribute or FromServicesAttribute or FromHeaderAttribute or FromFormAttribute))
        {
            return false;
        }
        var t = Nullable.GetUnderlyingType(p.ParameterType) ?? p.ParameterType;
        return t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(DateOnly) || t == typeof(DateTime)
            || t == typeof(DateTimeOffset) || t == typeof(Guid) || t == typeof(TimeOnly);
    }
}
