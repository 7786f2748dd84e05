using System.ComponentModel.DataAnnotations;

namespace Plexus.Server.Features.Auth;

/// <summary>The <c>Auth</c> section (<c>Auth__SigningKey</c>, <c>Auth__AccessTokenMinutes</c>, ...), validated at start.</summary>
public sealed class AuthOptions : IValidatableObject
{
    public const string Section = "Auth";

    /// <summary>Base64, at least 32 bytes. When absent a key is generated on first start and kept (protected) in the database.</summary>
    public string? SigningKey { get; set; }

    [Range(1, 24 * 60)]
    public int AccessTokenMinutes { get; set; } = 15;

    [Range(1, 365)]
    public int RefreshTokenDays { get; set; } = 30;

    /// <summary>Failed logins in a row that lock the account.</summary>
    [Range(1, 1000)]
    public int MaxFailedLogins { get; set; } = 5;

    [Range(1, 24 * 60)]
    public int LockoutMinutes { get; set; } = 15;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SigningKey is not null && SigningKeyBytes() is null)
        {
            yield return new ValidationResult("Auth:SigningKey must be base64 of at least 32 bytes", [nameof(SigningKey)]);
        }
    }

    internal byte[]? SigningKeyBytes()
    {
        if (string.IsNullOrWhiteSpace(SigningKey))
        {
            return null;
        }

        var buffer = new byte[SigningKey.Length];
        return Convert.TryFromBase64String(SigningKey.Trim(), buffer, out var written) && written >= 32 ? buffer[..written] : null;
    }
}
