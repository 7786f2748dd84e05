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

    public static ProblemHttpResult Unauthorized(string detail) => Of(StatusCodes.Status401Unauthorized, "unauthorized", "Not signed in", detail);
}
