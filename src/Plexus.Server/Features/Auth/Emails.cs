using System.Net.Mail;

namespace Plexus.Server.Features.Auth;

/// <summary>Emails are compared and stored trimmed and lower-cased.</summary>
public static class Emails
{
    public const int MaxLength = 320;

    /// <summary>The normalised address, or null when <paramref name="email"/> is not a plain address (<c>name@host.tld</c>).</summary>
    public static string? Normalize(string? email)
    {
        var trimmed = email?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > MaxLength
            || !MailAddress.TryCreate(trimmed, out var address) || address.Address != trimmed || address.DisplayName.Length > 0
            || !address.Host.Contains('.', StringComparison.Ordinal))
        {
            return null;
        }

#pragma warning disable CA1308 // Emails are shown and stored lower-case; nothing round-trips them through upper case.
        return trimmed.ToLowerInvariant();
#pragma warning restore CA1308
    }
}
