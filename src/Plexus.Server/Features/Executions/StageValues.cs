using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Plexus.Persistence;

namespace Plexus.Server.Features.Executions;

/// <summary>The environment variables and secrets of one stage of a project, as a run sees them.</summary>
public sealed partial record StageValues(Guid StageId, IReadOnlyDictionary<string, string> Env, IReadOnlyDictionary<string, string> Secrets)
{
    /// <summary>The Data Protection purpose secret values are protected with.</summary>
    public const string SecretsPurpose = "plexus.secrets";

    /// <summary>The stage's values, or null when the project has no such stage.</summary>
    public static async Task<StageValues?> LoadAsync(AppDbContext db, IDataProtectionProvider protection, Guid projectId, string stage,
        ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(protection);
        var stageId = await db.Stages.Where(s => s.ProjectId == projectId && s.Name == stage).Select(s => (Guid?)s.Id)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (stageId is not { } id)
        {
            return null;
        }

        var env = await db.EnvVariables.Where(v => v.StageId == id).ToDictionaryAsync(v => v.Name, v => v.Value, StringComparer.Ordinal, cancellationToken)
            .ConfigureAwait(false);
        var stored = await db.Secrets.Where(s => s.StageId == id).Select(s => new { s.Name, s.ProtectedValue })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var protector = protection.CreateProtector(SecretsPurpose);
        var secrets = new Dictionary<string, string>(stored.Count, StringComparer.Ordinal);
        foreach (var secret in stored)
        {
            try
            {
                secrets[secret.Name] = protector.Unprotect(secret.ProtectedValue);
            }
            catch (CryptographicException exception)
            {
                // A secret that cannot be read is left out: a run that needs it fails on it, the others go on.
                Log.SecretUnreadable(logger, exception, secret.Name, stage);
            }
        }

        return new StageValues(id, env, secrets);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Secret {Name} of stage {Stage} cannot be decrypted (Data Protection keys lost?)")]
        public static partial void SecretUnreadable(ILogger logger, Exception exception, string name, string stage);
    }
}
