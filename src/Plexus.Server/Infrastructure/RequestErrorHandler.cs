using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Plexus.Server.Infrastructure;

/// <summary>
/// Turns what the framework throws for a bad request into a problem: invalid JSON → 400 with line and column,
/// a body over the limit → 413. Anything else is a bug: 500 without internals, logged.
/// </summary>
internal sealed partial class RequestErrorHandler(IProblemDetailsService problems, ILogger<RequestErrorHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, code, title, detail) = exception switch
        {
            BadHttpRequestException { InnerException: JsonException json } => (400, "invalid-json", "The body is not valid JSON", Describe(json)),
            BadHttpRequestException { StatusCode: 413 } => (413, "body-too-large", "The body is too large", exception.Message),
            BadHttpRequestException bad => (bad.StatusCode, "bad-request", "The request is not valid", bad.Message),
            _ => (500, "internal", "Something went wrong on our side", (string?)null),
        };
        if (status == 500)
        {
            Log.Unhandled(logger, exception, httpContext.Request.Path);
        }

        httpContext.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Type = Problems.TypeBase + code, Title = title, Detail = detail };
        problem.Extensions["code"] = code;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception })
            .ConfigureAwait(false);
    }

    private static string Describe(JsonException json)
    {
        var at = json.LineNumber is { } line ? $"line {line + 1}, column {(json.BytePositionInLine ?? 0) + 1}" : "an unknown position";
        var path = string.IsNullOrEmpty(json.Path) || json.Path == "$" ? "" : $" ({json.Path.TrimStart('$', '.')})";
        return $"invalid JSON at {at}{path}";
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error on {Path}")]
        public static partial void Unhandled(ILogger logger, Exception exception, string path);
    }
}
