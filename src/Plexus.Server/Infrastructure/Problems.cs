using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Plexus.Server.Infrastructure;

/// <summary>
/// RFC 7807 problems with a stable <c>code</c> (and <c>type</c> derived from it), and <c>errors</c> keyed by JSON path
/// for validation. Expected failures are returned as these values, never thrown.
/// </summary>
public static class Problems
{
    public const string TypeBase = "https://plexus.dev/problems/";

    public static ProblemHttpResult Of(int status, string code, string title, string? detail = null, IDictionary<string, string[]>? errors = null)
    {
        var problem = errors is null
            ? new ProblemDetails()
            : new HttpValidationProblemDetails(errors);
        problem.Status = status;
        problem.Type = TypeBase + code;
        problem.Title = title;
        problem.Detail = detail;
        problem.Extensions["code"] = code;
        return TypedResults.Problem(problem);
    }

    public static ProblemHttpResult NotFound(string what) => Of(StatusCodes.Status404NotFound, "not-found", $"{what} not found");

    public static ProblemHttpResult Validation(IEnumerable<(string Path, string Message)> problems, string title = "The request is not valid") =>
        Of(StatusCodes.Status422UnprocessableEntity, "validation", title, errors: problems
            .GroupBy(p => p.Path, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray(), StringComparer.Ordinal));

    public static ProblemHttpResult Conflict(string code, string title, string? detail = null) => Of(StatusCodes.Status409Conflict, code, title, detail);

    public static ProblemHttpResult Forbidden(string detail) => Of(StatusCodes.Status403Forbidden, "forbidden", "Not allowed", detail);

    /// <summary>
    /// Gives problems the framework writes itself (status-code pages, e.g. a 413 raised while reading a chunked body, a
    /// 404 for an unknown path) a stable <c>code</c> and <c>type</c> like ours.
    /// </summary>
    public static void FillCode(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var problem = context.ProblemDetails;
        if (problem.Extensions.ContainsKey("code"))
        {
            return;
        }

        var code = problem.Status switch
        {
            StatusCodes.Status400BadRequest => "bad-request",
            StatusCodes.Status401Unauthorized => "unauthorized",
            StatusCodes.Status403Forbidden => "forbidden",
            StatusCodes.Status404NotFound => "not-found",
            StatusCodes.Status405MethodNotAllowed => "method-not-allowed",
            StatusCodes.Status413PayloadTooLarge => "body-too-large",
            StatusCodes.Status415UnsupportedMediaType => "unsupported-media-type",
            _ => null,
        };
        if (code is not null)
        {
            problem.Type = TypeBase + code;
            problem.Extensions["code"] = code;
        }
    }

    public static ProblemHttpResult Unauthorized(string detail) => Of(StatusCodes.Status401Unauthorized, "unauthorized", "Not signed in", detail);
}
