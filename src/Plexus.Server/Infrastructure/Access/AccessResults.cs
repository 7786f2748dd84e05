using Microsoft.AspNetCore.Http.HttpResults;

namespace Plexus.Server.Infrastructure.Access;

/// <summary>An access check in one call, for endpoints that go on only when allowed.</summary>
public static class AccessResults
{
    /// <summary>
    /// Null when allowed; else the problem to answer: 404 naming <paramref name="what"/> for a caller outside the
    /// organisation (the same answer as a missing row: no existence leak), 403 for a missing role or scope.
    /// </summary>
    public static async Task<ProblemHttpResult?> DenyAsync(
        this IAccess access, Guid organizationId, Permission permission, string what, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(access);
        var check = await access.CheckAsync(organizationId, permission, cancellationToken).ConfigureAwait(false);
        return check.Allowed ? null : check.Problem(what);
    }
}
