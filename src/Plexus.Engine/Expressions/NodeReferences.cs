using System.Text.RegularExpressions;

namespace Plexus.Engine.Expressions;

/// <summary>Finds the node ids a script names as <c>nodes.X</c>, <c>nodes["X"]</c> or <c>nodes['X']</c>.</summary>
/// <remarks>A textual scan: ids built at run time (<c>nodes[name]</c>) are not found, which the validator accepts.</remarks>
internal static partial class NodeReferences
{
    [GeneratedRegex(@"\bnodes\s*(?:\?\.|\.)\s*([A-Za-z_$][\w$]*)|\bnodes\s*(?:\?\.)?\s*\[\s*(?:'([^'\\\r\n]*)'|""([^""\\\r\n]*)"")\s*\]", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static void AddTo(ISet<string> ids, string source)
    {
        foreach (Match match in Pattern().Matches(source))
        {
            var id = match.Groups[1].Success ? match.Groups[1].Value
                : match.Groups[2].Success ? match.Groups[2].Value
                : match.Groups[3].Value;
            ids.Add(id);
        }
    }
}
