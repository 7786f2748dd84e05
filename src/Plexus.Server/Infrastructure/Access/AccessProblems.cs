using Microsoft.AspNetCore.Http.HttpResults;

namespace Plexus.Server.Infrastructure.Access;

public static class AccessProblems
{
    /// <summary>The problem for a check that was not allowed: 404 naming <paramref name="what"/>, or 403 with the reason.</summary>
    public static ProblemHttpResult Problem(this AccessCheck check, string what) => check.Outcome switch
    {
        AccessOutcome.Forbidden => Problems.Forbidden(check.Reason ?? "not allowed"),
        _ => Problems.NotFound(what),
    };
}
