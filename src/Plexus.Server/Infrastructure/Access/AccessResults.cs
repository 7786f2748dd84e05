namespace Plexus.Server.Infrastructure.Access;

/// <summary>Turns an access check into the problem an endpoint answers, so every endpoint denies alike.</summary>
public static class AccessResults
{
    /// <summary>
    /// Null when allowed; else 404 for a caller outside the organisation (the same answer as a missing row: no
    /// existence leak) or 403 for a member without the role or a key without the scope.
    /// </summary>
    public static async Task<Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult?> DenyAsync(
        this IAccess access, Guid organizationId, Permission permission, string what, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(access);
        var check = await access.CheckAsync(organizationId, permission, cancellationToken).ConfigureAwait(false);
        return check.Outcome switch
        {
            AccessOutcome.Allowed => null,
            AccessOutcome.Forbidden => Problems.Forbidden(check.Reason ?? $"this needs the {permission} permission"),
            _ => Problems.NotFound(what),
        };
    }
}
