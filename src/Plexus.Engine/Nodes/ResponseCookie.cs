using System.Globalization;
using System.Text;

namespace Plexus.Engine.Nodes;

/// <summary>
/// A cookie an HTTP answer sets. Its parts are checked by <c>http.response</c> (RFC 6265 characters), so that
/// <see cref="ToSetCookie"/> can write them as they are: hosts and the CLI show exactly the header that is sent.
/// </summary>
/// <param name="SameSite"><c>Strict</c>, <c>Lax</c>, <c>None</c>, or null to leave it to the browser.</param>
/// <param name="MaxAge">Seconds; zero or less expires the cookie at once.</param>
public sealed record ResponseCookie(
    string Name,
    string Value,
    string? Path = null,
    string? Domain = null,
    long? MaxAge = null,
    DateTimeOffset? Expires = null,
    bool HttpOnly = false,
    bool Secure = false,
    string? SameSite = null)
{
    /// <summary>The <c>Set-Cookie</c> header value.</summary>
    public string ToSetCookie()
    {
        var header = new StringBuilder(Name).Append('=').Append(Value);
        if (Path is not null)
        {
            header.Append("; Path=").Append(Path);
        }

        if (Domain is not null)
        {
            header.Append("; Domain=").Append(Domain);
        }

        if (Expires is { } expires)
        {
            header.Append("; Expires=").Append(expires.UtcDateTime.ToString("r", CultureInfo.InvariantCulture));
        }

        if (MaxAge is { } maxAge)
        {
            header.Append("; Max-Age=").Append(maxAge.ToString(CultureInfo.InvariantCulture));
        }

        if (Secure)
        {
            header.Append("; Secure");
        }

        if (HttpOnly)
        {
            header.Append("; HttpOnly");
        }

        if (SameSite is not null)
        {
            header.Append("; SameSite=").Append(SameSite);
        }

        return header.ToString();
    }
}
