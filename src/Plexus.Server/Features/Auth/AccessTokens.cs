using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Plexus.Server.Infrastructure.Access;

namespace Plexus.Server.Features.Auth;

/// <summary>Short-lived JWT access tokens (HS256, issuer and audience <c>plexus</c>, <c>sub</c> = user id).</summary>
internal sealed class AccessTokens(SigningKeyRing keys, IOptions<AuthOptions> options, TimeProvider time)
{
    public const string Issuer = "plexus";
    public const string Audience = "plexus";

    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    public (string Token, int ExpiresIn) Issue(Guid userId)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var lifetime = TimeSpan.FromMinutes(options.Value.AccessTokenMinutes);
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity([new Claim(PlexusClaims.Subject, userId.ToString())]),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            SigningCredentials = new SigningCredentials(keys.Key, SecurityAlgorithms.HmacSha256),
        });
        return (token, (int)lifetime.TotalSeconds);
    }
}
