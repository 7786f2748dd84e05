namespace Plexus.Engine.Nodes;

/// <summary>The node types a host knows, by type id. What the editor reads at <c>GET /api/v1/node-types</c>.</summary>
public sealed class NodeCatalog
{
    private readonly Dictionary<string, NodeType> _types = new(StringComparer.Ordinal);

    public NodeCatalog(IEnumerable<NodeType> types)
    {
        foreach (var type in types)
        {
            if (!_types.TryAdd(type.Info.Type, type))
            {
                throw new ArgumentException($"node type '{type.Info.Type}' is registered twice", nameof(types));
            }
        }
    }

    public IEnumerable<NodeType> All => _types.Values.OrderBy(t => t.Info.Category, StringComparer.Ordinal).ThenBy(t => t.Info.Type, StringComparer.Ordinal);

    public bool TryGet(string type, out NodeType nodeType) => _types.TryGetValue(type, out nodeType!);

    /// <summary>Known type ids close to <paramref name="type"/>, nearest first, for "did you mean".</summary>
    public IReadOnlyList<string> Suggest(string type) =>
        _types.Keys
            .Select(k => (Key: k, Distance: EditDistance(k, type)))
            .Where(x => x.Distance <= Math.Max(2, type.Length / 3) || x.Key.Contains(type, StringComparison.OrdinalIgnoreCase))
            .OrderBy(x => x.Distance).ThenBy(x => x.Key, StringComparer.Ordinal)
            .Take(3).Select(x => x.Key).ToList();

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
