using System.Globalization;

namespace Plexus.Engine.Workflows;

/// <summary>Builds the paths that problems name: <c>nodes[2].settings.status</c>, without the leading <c>$.</c>.</summary>
public static class JsonPaths
{
    public static string Child(string parent, string property)
    {
        var simple = property.Length > 0 && property.All(c => char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-')
            && !char.IsAsciiDigit(property[0]);
        var segment = simple ? property : $"['{property.Replace("'", "\\'", StringComparison.Ordinal)}']";
        return parent.Length == 0 ? segment : simple ? $"{parent}.{segment}" : parent + segment;
    }

    public static string Index(string parent, int index) => $"{parent}[{index.ToString(CultureInfo.InvariantCulture)}]";

    public static string Join(string parent, string relative) =>
        relative.Length == 0 ? parent : parent.Length == 0 ? relative : relative[0] == '[' ? parent + relative : $"{parent}.{relative}";

    internal static string FromJsonPath(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return "";
        }

        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
    }
}
