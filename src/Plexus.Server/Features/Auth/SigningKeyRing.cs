using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Plexus.Persistence;
using Plexus.Persistence.Model;

namespace Plexus.Server.Features.Auth;

/// <summary>
/// The key that signs access tokens: <c>Auth__SigningKey</c> when configured, else the one kept in the database
/// (protected with Data Protection), made by whichever process starts first, so restarts and replicas agree.
/// Loaded at start, before the server takes requests.
/// </summary>
internal sealed partial class SigningKeyRing(
    IServiceScopeFactory scopes,
    IOptions<AuthOptions> options,
    IDataProtectionProvider protection,
    TimeProvider time,
    ILogger<SigningKeyRing> logger) : IHostedService
{
    /// <summary>One well-known row: two processes starting together cannot both insert it.</summary>
    private static readonly Guid StoredKeyId = new("6f1d7c2a-0000-4000-8000-000000000001");

    private SymmetricSecurityKey? _key;

    public SymmetricSecurityKey Key => _key ?? throw new InvalidOperationException("The signing key is loaded at start");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var configured = options.Value.SigningKeyBytes();
        var bytes = configured ?? await LoadOrCreateAsync(cancellationToken).ConfigureAwait(false);
        _key = new SymmetricSecurityKey(bytes) { KeyId = Convert.ToHexStringLower(SHA256.HashData(bytes))[..16] };
        Log.Loaded(logger, configured is null ? "database" : "configuration");
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task<byte[]> LoadOrCreateAsync(CancellationToken cancellationToken)
    {
        var protector = protection.CreateProtector("Plexus.Auth.SigningKey");
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        for (var attempt = 0; ; attempt++)
        {
            var stored = await db.SigningKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Id == StoredKeyId, cancellationToken).ConfigureAwait(false);
            if (stored is not null)
            {
                return protector.Unprotect(Convert.FromBase64String(stored.ProtectedKey));
            }

            var bytes = RandomNumberGenerator.GetBytes(64);
            db.SigningKeys.Add(new SigningKey
            {
                Id = StoredKeyId,
                ProtectedKey = Convert.ToBase64String(protector.Protect(bytes)),
                CreatedAt = time.GetUtcNow(),
            });
            try
            {
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                return bytes;
            }
            catch (DbUpdateException) when (attempt == 0)
            {
                // Another replica stored its key first: use that one.
                db.ChangeTracker.Clear();
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Access-token signing key loaded from the {Source}")]
        public static partial void Loaded(ILogger logger, string source);
    }
}
