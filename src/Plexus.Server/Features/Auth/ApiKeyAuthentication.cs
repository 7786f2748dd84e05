using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Plexus.Persistence;
using Plexus.Server.Features.ApiKeys;
using Plexus.Server.Infrastructure.Access;
using Plexus.Server.Infrastructure;

namespace Plexus.Server.Features.Auth;

/// <summary>
/// Authenticates <c>X-API-Key: plx_...</c> or <c>Authorization: Bearer plx_...</c> as the key's organisation with its
/// scopes. Records the last use at most once a minute, so a busy key does not write on every request.
/// </summary>
internal sealed class ApiKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    AppDbContext db,
    TimeProvider clock) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-API-Key";

    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    /// <summary>The key the request presents, if any: <c>X-API-Key</c>, else a bearer credential that starts with <c>plx_</c>.</summary>
    public static string? PresentedKey(HttpRequest request)
    {
        if (request.Headers.TryGetValue(HeaderName, out var header) && !string.IsNullOrWhiteSpace(header))
        {
            return header.ToString().Trim();
        }

        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var credential = authorization["Bearer ".Length..].Trim();
            return ApiKeyFormat.LooksLikeKey(credential) ? credential : null;
        }

        return null;
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var key = PresentedKey(Request);
        if (key is null)
        {
            return AuthenticateResult.NoResult();
        }

        if (!ApiKeyFormat.TryGetPrefix(key, out var prefix))
        {
            return AuthenticateResult.Fail("the API key is not valid");
        }

        var ct = Context.RequestAborted;
        var stored = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Prefix == prefix, ct).ConfigureAwait(false);
        if (stored is null || !Hashes.SameHash(stored.SecretHash, Hashes.Sha256(key)))
        {
            return AuthenticateResult.Fail("the API key is not valid");
        }

        if (stored.RevokedAt is not null)
        {
            return AuthenticateResult.Fail("the API key has been revoked");
        }

        var now = clock.GetUtcNow();
        if (stored.LastUsedAt is null || now - stored.LastUsedAt >= LastUsedResolution)
        {
            await db.ApiKeys.Where(k => k.Id == stored.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now), ct).ConfigureAwait(false);
        }

        List<Claim> claims =
        [
            new(PlexusClaims.ApiKeyId, stored.Id.ToString()),
            new(PlexusClaims.ApiKeyOrganization, stored.OrganizationId.ToString()),
            .. stored.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(s => new Claim(PlexusClaims.Scope, s)),
        ];
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync().ConfigureAwait(false);
        await AuthProblems.WriteUnauthorizedAsync(Context, "ApiKey", result.Failure?.Message ?? "sign in: send an access token or an API key")
            .ConfigureAwait(false);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => AuthProblems.WriteForbiddenAsync(Context);
}
