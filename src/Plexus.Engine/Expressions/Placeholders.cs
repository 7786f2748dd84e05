using System.Text.RegularExpressions;

namespace Plexus.Engine.Expressions;

/// <summary>One piece of a literal string with placeholders: text, or a <c>&lt;secret:NAME&gt;</c> / <c>&lt;env:NAME&gt;</c> reference.</summary>
internal readonly record struct PlaceholderPart(string Text, PlaceholderSource? Source);

internal enum PlaceholderSource
{
    Secret,
    Env,
}

/// <summary>Finds <c>&lt;secret:NAME&gt;</c> and <c>&lt;env:NAME&gt;</c> placeholders in literal strings.</summary>
internal static partial class Placeholders
{
    [GeneratedRegex(@"<(secret|env):([A-Za-z0-9_.\-]+)>", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    /// <summary>The parts of <paramref name="text"/>, or null when it holds no placeholder.</summary>
    public static List<PlaceholderPart>? Parse(string text)
    {
        if (!text.Contains('<', StringComparison.Ordinal))
        {
            return null;
        }
        List<PlaceholderPart>? parts = null;
        var position = 0;
        foreach (Match match in Pattern().Matches(text))
        {
            parts ??= [];
            if (match.Index > position)
            {
                parts.Add(new PlaceholderPart(text[position..match.Index], null));
            }
            var source = match.Groups[1].Value == "secret" ? PlaceholderSource.Secret : PlaceholderSource.Env;
            parts.Add(new PlaceholderPart(match.Groups[2].Value, source));
            position = match.Index + match.Length;
        }
        if (parts is not null && position < text.Length)
        {
            parts.Add(new PlaceholderPart(text[position..], null));
        }
        return parts;
    }
}
