using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.OpenApi;

namespace CustomerHealth.Web.Api;

/// <summary>Reads request bodies whole, refusing those over the configured size before they are buffered.</summary>
internal static class Bodies
{
    private sealed class TooLargeException(long limit, string advice) : Exception($"the request body is larger than the limit of {limit:N0} bytes; {advice}")
    {
    }

    /// <summary>
    /// Documents the body an endpoint reads itself. The content type is not enforced: a JSON body sent as
    /// text/plain (as curl does by default) is still read.
    /// </summary>
    public static RouteHandlerBuilder TakesBody(this RouteHandlerBuilder endpoint, string description, params string[] contentTypes) =>
        endpoint.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Description = description,
                Content = contentTypes.ToDictionary(t => t, _ => new OpenApiMediaType()),
            };
            return Task.CompletedTask;
        });

    /// <summary>
    /// The body as text, or (with empty text) the problem to answer: 413 over the limit (the message ends with
    /// <paramref name="advice"/>), 400 when empty and <paramref name="whenEmpty"/> says what to send.
    /// </summary>
    public static async Task<(string Text, ProblemHttpResult? Problem)> Read(
        HttpRequest request, long limit, string? whenEmpty, CancellationToken cancel, string advice = "send smaller batches")
    {
        try
        {
            var text = await ReadText(request, limit, advice, cancel);
            return whenEmpty is not null && string.IsNullOrWhiteSpace(text) ? ("", Problems.BadField("body", "the body is empty; " + whenEmpty)) : (text, null);
        }
        catch (TooLargeException e)
        {
            return ("", TypedResults.Problem(detail: e.Message, statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large"));
        }
    }

    private static async Task<string> ReadText(HttpRequest request, long limit, string advice, CancellationToken cancel)
    {
        if (request.ContentLength > limit)
        {
            throw new TooLargeException(limit, advice);
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancel)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new TooLargeException(limit, advice);
            }
            buffer.Write(chunk, 0, read);
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
