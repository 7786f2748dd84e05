using System.Security.Cryptography;
using Plexus.Server.Infrastructure;

namespace Plexus.Server.Features.ApiKeys;

/// <summary>
/// <c>plx_&lt;8-char prefix&gt;_&lt;secret&gt;</c>. The prefix (<c>plx_xxxxxxxx</c>) is stored in the clear to find the key;
/// the whole key only as its SHA-256 hash.
/// </summary>
public static class ApiKeyFormat
{
    public const string Start = "plx_";
    private const int PrefixLength = 12;
    private const string PrefixAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    public static (string Key, string Prefix) Generate()
    {
        var prefix = Start + new string(RandomNumberGenerator.GetItems<char>(PrefixAlphabet, PrefixLength - Start.Length));
        return (prefix + "_" + Hashes.NewSecret(), prefix);
    }

    public static bool LooksLikeKey(string? value) => value is not null && value.StartsWith(Start, StringComparison.Ordinal);

    public static bool TryGetPrefix(string key, out string prefix)
    {
        prefix = "";
        if (key.Length < PrefixLength + 2 || !key.StartsWith(Start, StringComparison.Ordinal) || key[PrefixLength] != '_')
        {
            return false;
        }

        prefix = key[..PrefixLength];
        return true;
    }
}
