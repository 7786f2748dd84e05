using System.Text.RegularExpressions;

namespace Plexus.Engine.Routing;

/// <summary>
/// A route path template: literal segments, <c>{name}</c>, typed <c>{id:int}</c> and <c>{id:uuid}</c>, and a
/// final catch-all <c>{*rest}</c>. Parameters arrive typed in <c>trigger.params</c>.
/// </summary>
public sealed partial class RouteTemplate
{
    private RouteTemplate(string text, IReadOnlyList<RouteSegment> segments)
    {
        Text = text;
        Segments = segments;
    }

    public string Text { get; }
    public IReadOnlyList<RouteSegment> Segments { get; }

    /// <summary>Parses a template, or says what is wrong with it.</summary>
    public static RouteTemplate? Parse(string text, out string? error)
    {
        error = null;
        if (!text.StartsWith('/'))
        {
            error = "must start with '/'";
            return null;
        }

        var segments = new List<RouteSegment>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var parts = text.Length == 1 ? [] : text[1..].Split('/');
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (part.Length == 0)
            {
                error = "must not contain an empty segment ('//' or a trailing '/')";
                return null;
            }

            if (!part.StartsWith('{'))
            {
                if (part.Contains('{', StringComparison.Ordinal) || part.Contains('}', StringComparison.Ordinal) || !LiteralSegment().IsMatch(part))
                {
                    error = $"segment '{part}' must be a literal of letters, digits, '-', '_', '.', '~' or a whole parameter like {{id}}";
                    return null;
                }

                segments.Add(new RouteSegment(RouteSegmentKind.Literal, part));
                continue;
            }

            var match = Parameter().Match(part);
            if (!match.Success)
            {
                error = $"segment '{part}' must be {{name}}, {{name:int}}, {{name:uuid}} or {{*name}}";
                return null;
            }

            var catchAll = match.Groups["star"].Success;
            var name = match.Groups["name"].Value;
            var kind = catchAll ? RouteSegmentKind.CatchAll : match.Groups["type"].Value switch
            {
                "" => RouteSegmentKind.Text,
                "int" => RouteSegmentKind.Integer,
                "uuid" => RouteSegmentKind.Uuid,
                _ => (RouteSegmentKind?)null,
            } ?? RouteSegmentKind.Literal;
            if (kind == RouteSegmentKind.Literal)
            {
                error = $"parameter '{name}' has unknown type '{match.Groups["type"].Value}'; use int or uuid";
                return null;
            }

            if (catchAll && i != parts.Length - 1)
            {
                error = $"catch-all '{{*{name}}}' must be the last segment";
                return null;
            }

            if (!names.Add(name))
            {
                error = $"parameter '{name}' appears twice";
                return null;
            }

            segments.Add(new RouteSegment(kind, name));
        }

        return new RouteTemplate(text, segments);
    }

    [GeneratedRegex("^\\{(?<star>\\*)?(?<name>[A-Za-z_][A-Za-z0-9_]*)(?::(?<type>[a-z]+))?\\}$")]
    private static partial Regex Parameter();

    [GeneratedRegex("^[A-Za-z0-9._~-]+$")]
    private static partial Regex LiteralSegment();
}

public enum RouteSegmentKind
{
    Literal,
    Text,
    Integer,
    Uuid,
    CatchAll,
}

public sealed record RouteSegment(RouteSegmentKind Kind, string Value);
