using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Plexus.Server.Infrastructure;

/// <summary>Random secrets and the hashes they are stored as (refresh tokens, API keys, resume tokens): SHA-256, lower-case hex.</summary>
public static class Hashes
{
    public static string NewSecret(int bytes = 32) => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(bytes));

    public static string Sha256(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    public static bool SameHash(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));
}
