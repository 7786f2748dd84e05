using Microsoft.AspNetCore.Mvc;
using Plexus.Server.Infrastructure;

namespace Plexus.Server.Features.Auth;

/// <summary>The problems the authentication schemes answer with, instead of empty 401/403 responses.</summary>
internal static class AuthProblems
{
    public static Task WriteUnauthorizedAsync(HttpContext context, string scheme, string detail)
    {
        context.Response.Headers.WWWAuthenticate = scheme == "ApiKey" ? "ApiKey" : "Bearer";
        return WriteAsync(context, StatusCodes.Status401Unauthorized, "unauthorized", "Not signed in", detail);
    }

    public static Task WriteForbiddenAsync(HttpContext context) =>
        WriteAsync(context, StatusCodes.Status403Forbidden, "forbidden", "Not allowed", "the credentials do not allow this");

    private static async Task WriteAsync(HttpContext context, int status, string code, string title, string detail)
    {
        context.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Type = Problems.TypeBase + code, Title = title, Detail = detail };
        problem.Extensions["code"] = code;
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }).ConfigureAwait(false);
    }
}
