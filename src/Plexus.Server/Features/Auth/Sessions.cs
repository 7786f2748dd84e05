using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Plexus.Persistence;
using Plexus.Persistence.Model;
using Plexus.Server.Infrastructure;

namespace Plexus.Server.Features.Auth;

/// <summary>
/// A signed-in session: an access token plus a rotating refresh token. Refresh tokens are random 32 bytes
/// (base64url), stored as SHA-256 hashes, grouped in families: every rotation stays in the family of the login.
/// </summary>
internal sealed class Sessions(AccessTokens accessTokens, IOptions<AuthOptions> options, TimeProvider time)
{
    /// <summary>Adds a refresh token of <paramref name="familyId"/> to the context (saved with the caller's change).</summary>
    public string AddRefreshToken(AppDbContext db, Guid userId, Guid familyId)
    {
        var token = Hashes.NewSecret();
        var now = time.GetUtcNow();
        db.RefreshTokens.Add(new RefreshToken
        {
            Id = Guid.CreateVersion7(now),
            UserId = userId,
            FamilyId = familyId,
            TokenHash = Hashes.Sha256(token),
            CreatedAt = now,
            ExpiresAt = now.AddDays(options.Value.RefreshTokenDays),
        });
        return token;
    }

    /// <summary>Revokes every live token of the family; answers how many.</summary>
    public Task<int> RevokeFamilyAsync(AppDbContext db, Guid familyId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return db.RefreshTokens
            .Where(t => t.FamilyId == familyId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), cancellationToken);
    }

    /// <summary>The organisation a session starts in: the user's personal one, else the first they joined.</summary>
    public static Task<OrganizationRef?> HomeAsync(AppDbContext db, Guid userId, CancellationToken cancellationToken) => (
            from m in db.Memberships
            join o in db.Organizations on m.OrganizationId equals o.Id
            where m.UserId == userId
            orderby o.Personal descending, m.CreatedAt, o.Id
            select new OrganizationRef(o.Id, o.Name))
        .FirstOrDefaultAsync(cancellationToken);

    /// <summary>The answer of signup, login and refresh, with a fresh access token.</summary>
    public SessionResponse Answer(User user, string refreshToken, OrganizationRef? organization)
    {
        var (token, expiresIn) = accessTokens.Issue(user.Id);
        return new SessionResponse(token, refreshToken, expiresIn, new UserSummary(user.Id, user.Email, user.Name), organization);
    }
}

/// <summary>What signup, login and refresh answer. <c>expiresIn</c>: seconds the access token lives.</summary>
public sealed record SessionResponse(string AccessToken, string RefreshToken, int ExpiresIn, UserSummary User, OrganizationRef? Organization);

public sealed record UserSummary(Guid Id, string Email, string Name);

public sealed record OrganizationRef(Guid Id, string Name);
