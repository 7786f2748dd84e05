using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Plexus.Engine.Routing;

/// <summary>One route: a method and a path template, and what answers it.</summary>
public sealed record RouteEntry<TTarget>(string Method, RouteTemplate Template, TTarget Target);

/// <summary>Two routes that would answer the same requests.</summary>
public sealed record RouteConflict<TTarget>(RouteEntry<TTarget> First, RouteEntry<TTarget> Second);

/// <summary>What a request path matched.</summary>
public enum RouteMatchKind
{
    Found,
    NotFound,
    MethodNotAllowed,
}

/// <summary>The outcome of matching: the route and its typed parameters, or 404, or 405 with the allowed methods.</summary>
public readonly struct RouteMatch<TTarget>
{
    private readonly (string Name, JsonNode Value)[]? _parameters;

    internal RouteMatch(RouteMatchKind kind, RouteEntry<TTarget>? entry, (string, JsonNode)[]? parameters, string? allow)
    {
        Kind = kind;
        Entry = entry;
        _parameters = parameters;
        Allow = allow;
    }

    public RouteMatchKind Kind { get; }
    public RouteEntry<TTarget>? Entry { get; }

    /// <summary>For 405: the methods the path answers, comma-separated (the <c>Allow</c> header).</summary>
    public string? Allow { get; }

    /// <summary>The parameters as <c>trigger.params</c>: <c>{id:int}</c> as a number, the rest as strings.</summary>
    public JsonObject Parameters()
    {
        var parameters = new JsonObject();
        foreach (var (name, value) in _parameters ?? [])
        {
            parameters[name] = value;
        }

        return parameters;
    }
}

/// <summary>
/// Routes compiled into a tree, built once per publish and then only read (safe to share between requests and to
/// swap atomically). Precedence at every segment: literal, then typed (<c>int</c>, <c>uuid</c>), then
/// <c>{name}</c>, then a catch-all; a dead end falls back to the next kind. Matching allocates only the
/// parameter values.
/// </summary>
public static class RouteTable
{
    /// <summary>Compiles the routes; <paramref name="conflicts"/> names every pair that would answer the same requests (the later one is left out).</summary>
    public static RouteTable<TTarget> Build<TTarget>(IEnumerable<RouteEntry<TTarget>> routes, out IReadOnlyList<RouteConflict<TTarget>> conflicts) =>
        RouteTable<TTarget>.Compile(routes, out conflicts);
}

/// <inheritdoc cref="RouteTable"/>
public sealed class RouteTable<TTarget>
{
    private readonly Node _root;

    private RouteTable(Node root, IReadOnlyList<RouteEntry<TTarget>> entries)
    {
        _root = root;
        Entries = entries;
    }

    public IReadOnlyList<RouteEntry<TTarget>> Entries { get; }

    internal static RouteTable<TTarget> Compile(IEnumerable<RouteEntry<TTarget>> routes, out IReadOnlyList<RouteConflict<TTarget>> conflicts)
    {
        var root = new Node();
        var found = new List<RouteConflict<TTarget>>();
        var entries = new List<RouteEntry<TTarget>>();
        foreach (var route in routes)
        {
            var node = root;
            foreach (var segment in route.Template.Segments)
            {
                node = node.Child(segment);
            }

            var method = route.Method.ToUpperInvariant();
            if (node.Methods.TryGetValue(method, out var existing))
            {
                found.Add(new RouteConflict<TTarget>(existing.Entry, route));
                continue;
            }

            var parameters = route.Template.Segments.Where(s => s.Kind != RouteSegmentKind.Literal).ToArray();
            node.Methods[method] = new Leaf(route, [.. parameters.Select(p => p.Value)], [.. parameters.Select(p => p.Kind)]);
            entries.Add(route);
        }

        conflicts = found;
        return new RouteTable<TTarget>(root.Freeze(), entries);
    }

    public RouteMatch<TTarget> Match(string method, string path)
    {
        var span = path.AsSpan();
        var offset = span.Length > 0 && span[0] == '/' ? 1 : 0;
        var end = span.Length > offset && span[^1] == '/' ? span.Length - 1 : span.Length;
        Span<Range> captured = stackalloc Range[MaxParameters];
        var node = Find(_root, span[offset..end], offset, captured, 0, out var count);
        if (node is null)
        {
            return new RouteMatch<TTarget>(RouteMatchKind.NotFound, null, null, null);
        }

        if (!node.Frozen!.TryGetValue(method, out var leaf) && !(method == "HEAD" && node.Frozen.TryGetValue("GET", out leaf)))
        {
            return new RouteMatch<TTarget>(RouteMatchKind.MethodNotAllowed, null, null, node.Allow);
        }

        (string, JsonNode)[]? parameters = null;
        if (count > 0)
        {
            parameters = new (string, JsonNode)[count];
            for (var i = 0; i < count; i++)
            {
                parameters[i] = (leaf.Names[i], Value(leaf.Kinds[i], span[captured[i]]));
            }
        }

        return new RouteMatch<TTarget>(RouteMatchKind.Found, leaf.Entry, parameters, null);
    }

    /// <summary>Templates with more parameters than this are refused by <see cref="RouteTemplate"/> users in practice; deeper captures do not match.</summary>
    private const int MaxParameters = 16;

    /// <summary>
    /// Walks <paramref name="rest"/> (the path without leading and trailing '/'; <paramref name="offset"/> is where it starts in the
    /// whole path) depth-first by precedence, recording parameter ranges in <paramref name="captured"/>. Returns a node with routes.
    /// </summary>
    private static Node? Find(Node node, ReadOnlySpan<char> rest, int offset, Span<Range> captured, int depth, out int count)
    {
        count = depth;
        if (rest.IsEmpty)
        {
            if (node.Frozen!.Count > 0)
            {
                return node;
            }

            // A catch-all also takes an empty remainder: "/files" for "/files/{*rest}".
            if (node.CatchAll is { } empty && empty.Frozen!.Count > 0 && depth < captured.Length)
            {
                captured[depth] = new Range(offset, offset);
                count = depth + 1;
                return empty;
            }

            return null;
        }

        var slash = rest.IndexOf('/');
        var segment = slash < 0 ? rest : rest[..slash];
        if (segment.IsEmpty)
        {
            return null; // "//" never matches
        }

        var next = slash < 0 ? [] : rest[(slash + 1)..];
        var nextOffset = offset + segment.Length + (slash < 0 ? 0 : 1);
        if (node.LiteralLookup.TryGetValue(segment, out var literal) && Find(literal, next, nextOffset, captured, depth, out count) is { } hit)
        {
            return hit;
        }

        if (depth >= captured.Length)
        {
            return null;
        }

        captured[depth] = new Range(offset, offset + segment.Length);
        if (node.Integer is { } integer && IsInteger(segment) && Find(integer, next, nextOffset, captured, depth + 1, out count) is { } i)
        {
            return i;
        }

        if (node.Uuid is { } uuid && Guid.TryParse(segment, out _) && Find(uuid, next, nextOffset, captured, depth + 1, out count) is { } u)
        {
            return u;
        }

        if (node.Text is { } text && Find(text, next, nextOffset, captured, depth + 1, out count) is { } t)
        {
            return t;
        }

        if (node.CatchAll is { } catchAll && catchAll.Frozen!.Count > 0)
        {
            captured[depth] = new Range(offset, offset + rest.Length);
            count = depth + 1;
            return catchAll;
        }

        count = depth;
        return null;
    }

    private static bool IsInteger(ReadOnlySpan<char> segment) =>
        long.TryParse(segment, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);

    private static JsonValue Value(RouteSegmentKind kind, ReadOnlySpan<char> raw) => kind switch
    {
        RouteSegmentKind.Integer => JsonValue.Create(long.Parse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)),
        RouteSegmentKind.Uuid => JsonValue.Create(Guid.Parse(raw).ToString("D")),
        _ => JsonValue.Create(Uri.UnescapeDataString(raw.ToString())),
    };

    private sealed record Leaf(RouteEntry<TTarget> Entry, string[] Names, RouteSegmentKind[] Kinds);

    private sealed class Node
    {
        private readonly Dictionary<string, Node> _literals = new(StringComparer.OrdinalIgnoreCase);

        public Dictionary<string, Leaf> Methods { get; } = new(StringComparer.Ordinal);
        public FrozenDictionary<string, Leaf>? Frozen { get; private set; }
        public string? Allow { get; private set; }
        public Node? Integer { get; private set; }
        public Node? Uuid { get; private set; }
        public Node? Text { get; private set; }
        public Node? CatchAll { get; private set; }
        public Dictionary<string, Node>.AlternateLookup<ReadOnlySpan<char>> LiteralLookup { get; private set; }

        public Node Child(RouteSegment segment) => segment.Kind switch
        {
            RouteSegmentKind.Literal => _literals.TryGetValue(segment.Value, out var known) ? known : _literals[segment.Value] = new Node(),
            RouteSegmentKind.Integer => Integer ??= new Node(),
            RouteSegmentKind.Uuid => Uuid ??= new Node(),
            RouteSegmentKind.Text => Text ??= new Node(),
            _ => CatchAll ??= new Node(),
        };

        public Node Freeze()
        {
            Frozen = Methods.ToFrozenDictionary(StringComparer.Ordinal);
            var allowed = Methods.Keys.ToList();
            if (allowed.Contains("GET") && !allowed.Contains("HEAD"))
            {
                allowed.Add("HEAD");
            }

            Allow = string.Join(", ", allowed.Order(StringComparer.Ordinal));
            LiteralLookup = _literals.GetAlternateLookup<ReadOnlySpan<char>>();
            foreach (var child in _literals.Values)
            {
                child.Freeze();
            }

            Integer?.Freeze();
            Uuid?.Freeze();
            Text?.Freeze();
            CatchAll?.Freeze();
            return this;
        }
    }
}
