using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.IdentityModel.Tokens;
using Plexus.Persistence;
using Plexus.Server.Features.Audit;
using Plexus.Server.Infrastructure.Access;

namespace Plexus.Server.Features.Auth;

/// <summary>
/// Data Protection with its keys in the database, the two ways to authenticate (access token, API key) behind one
/// policy scheme, the "signed in" policy as default and fallback (an endpoint is anonymous only when it says so with
/// <c>AllowAnonymous</c>), and <see cref="IAccess"/>.
/// </summary>
public static class AuthSetup
{
    /// <summary>Forwards to the API-key scheme when the request presents a <c>plx_</c> key, else to JWT bearer.</summary>
    public const string Scheme = "Plexus";

    public static IServiceCollection AddPlexusAuth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddDataProtection().SetApplicationName("plexus").PersistKeysToDbContext<AppDbContext>();
        services.AddHttpContextAccessor();

        services.AddSingleton<SigningKeyRing>();
        services.AddHostedService(sp => sp.GetRequiredService<SigningKeyRing>());
        services.AddSingleton<AccessTokens>();
        services.AddSingleton<Sessions>();
        services.AddSingleton<Passwords>();
        services.AddScoped<IAccess>(sp =>
        {
            var http = sp.GetRequiredService<IHttpContextAccessor>();
            return new RequestAccess(() => http.HttpContext?.User, sp.GetRequiredService<AppDbContext>());
        });
        services.AddScoped<AuditLog>();

        services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "Access token or API key", o => o.ForwardDefaultSelector = context =>
                ApiKeyAuthentication.PresentedKey(context.Request) is null ? JwtBearerDefaults.AuthenticationScheme : ApiKeyAuthentication.SchemeName)
            .AddJwtBearer()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null);
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<SigningKeyRing, TimeProvider>((jwt, keys, time) => ConfigureJwt(jwt, keys, time));

        var signedIn = new AuthorizationPolicyBuilder(Scheme).RequireAuthenticatedUser().Build();
        services.AddAuthorizationBuilder().SetDefaultPolicy(signedIn).SetFallbackPolicy(signedIn);
        return services;
    }

    private static void ConfigureJwt(JwtBearerOptions jwt, SigningKeyRing keys, TimeProvider time)
    {
        jwt.MapInboundClaims = false;
        jwt.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = AccessTokens.Issuer,
            ValidAudience = AccessTokens.Audience,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            IssuerSigningKeyResolver = (_, _, _, _) => [keys.Key],
            NameClaimType = PlexusClaims.Subject,
            ClockSkew = TimeSpan.FromSeconds(30),

            // The clock is the registered TimeProvider, so expiry follows the same time as issuing (and tests can move it).
            LifetimeValidator = (notBefore, expires, _, parameters) =>
            {
                var now = time.GetUtcNow().UtcDateTime;
                return expires is { } end && now < end + parameters.ClockSkew && (notBefore is not { } start || start - parameters.ClockSkew <= now);
            },
        };
        jwt.Events = new JwtBearerEvents
        {
            OnChallenge = async context =>
            {
                context.HandleResponse();
                var detail = context.AuthenticateFailure switch
                {
                    null => "sign in: send an access token or an API key",
                    SecurityTokenExpiredException or SecurityTokenInvalidLifetimeException => "the access token has expired",
                    _ => "the access token is not valid",
                };
                await AuthProblems.WriteUnauthorizedAsync(context.HttpContext, JwtBearerDefaults.AuthenticationScheme, detail).ConfigureAwait(false);
            },
            OnForbidden = context => AuthProblems.WriteForbiddenAsync(context.HttpContext),

            // Browsers cannot set headers on WebSockets or server-sent events: the hub takes the token from the query.
            OnMessageReceived = context =>
            {
                if (context.HttpContext.Request.Path.StartsWithSegments("/hubs", StringComparison.Ordinal)
                    && context.Request.Query["access_token"].ToString() is { Length: > 0 } token)
                {
                    context.Token = token;
                }

                return Task.CompletedTask;
            },
        };
    }

    public static WebApplication UsePlexusAuth(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }
}
