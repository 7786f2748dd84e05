using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Plexus.Persistence;

namespace Plexus.Server.Infrastructure.Access;

/// <summary>
/// <see cref="IAccess"/> for one request: a user gets what the role of their membership grants; an API key gets its
/// scopes in its own organisation. Memberships are read once per organisation per request (or hub call: the caller is
/// whoever <c>user</c> names).
/// </summary>
internal sealed class RequestAccess(Func<ClaimsPrincipal?> user, AppDbContext db) : IAccess
{
    private readonly Dictionary<Guid, string?> _roles = [];
    private Actor? _current;
    private bool _resolved;

    public Actor? Current
    {
        get
        {
            if (!_resolved)
            {
                _current = ActorOf(user());
                _resolved = true;
            }

            return _current;
        }
    }

    public async Task<AccessCheck> CheckAsync(Guid organizationId, Permission permission, CancellationToken cancellationToken)
    {
        var actor = Current;
        if (actor is null)
        {
            return new AccessCheck(AccessOutcome.NotFound, null, "not signed in");
        }

        if (actor.IsApiKey)
        {
            if (actor.ApiKeyOrganizationId != organizationId)
            {
                return new AccessCheck(AccessOutcome.NotFound, null, "the API key belongs to another organisation");
            }

            return actor.ApiKeyScopes.Contains(permission)
                ? new AccessCheck(AccessOutcome.Allowed, null, null)
                : new AccessCheck(AccessOutcome.Forbidden, null, $"the API key lacks the scope '{Scopes.Name(permission)}'");
        }

        var role = await RoleAsync(actor.UserId!.Value, organizationId, cancellationToken).ConfigureAwait(false);
        if (role is null)
        {
            return new AccessCheck(AccessOutcome.NotFound, null, "not a member of the organisation");
        }

        return Roles.Grants(role, permission)
            ? new AccessCheck(AccessOutcome.Allowed, role, null)
            : new AccessCheck(AccessOutcome.Forbidden, role, $"the role '{role}' does not allow this ({Scopes.Name(permission)})");
    }

    private async Task<string?> RoleAsync(Guid userId, Guid organizationId, CancellationToken cancellationToken)
    {
        if (!_roles.TryGetValue(organizationId, out var role))
        {
            role = await db.Memberships.AsNoTracking()
                .Where(m => m.UserId == userId && m.OrganizationId == organizationId)
                .Select(m => m.Role)
                .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            _roles[organizationId] = role;
        }

        return role;
    }

    internal static Actor? ActorOf(ClaimsPrincipal? user)
    {
        if (user?.Identity?.IsAuthenticated != true)
        {
            return null;
        }

        if (Guid.TryParse(user.FindFirstValue(PlexusClaims.ApiKeyId), out var keyId)
            && Guid.TryParse(user.FindFirstValue(PlexusClaims.ApiKeyOrganization), out var organizationId))
        {
            var scopes = new HashSet<Permission>();
            foreach (var claim in user.FindAll(PlexusClaims.Scope))
            {
                if (Scopes.TryParse(claim.Value, out var permission))
                {
                    scopes.Add(permission);
                }
            }

            return new Actor(null, keyId, organizationId, scopes);
        }

        return Guid.TryParse(user.FindFirstValue(PlexusClaims.Subject), out var userId)
            ? new Actor(userId, null, null, new HashSet<Permission>())
            : null;
    }
}
