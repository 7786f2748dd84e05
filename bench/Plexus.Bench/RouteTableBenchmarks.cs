using BenchmarkDotNet.Attributes;
using Plexus.Engine.Routing;

namespace Plexus.Bench;

/// <summary>Matching a request against a table of 200 routes: literal, typed and parameter segments.</summary>
[MemoryDiagnoser]
public class RouteTableBenchmarks
{
    private RouteTable<int> _table = null!;

    [GlobalSetup]
    public void Setup()
    {
        var routes = new List<RouteEntry<int>>();
        for (var i = 0; i < 100; i++)
        {
            routes.Add(new("GET", RouteTemplate.Parse($"/api/resource{i}/{{id:int}}", out _)!, i));
            routes.Add(new("POST", RouteTemplate.Parse($"/hooks/h{i}/{{name}}", out _)!, 100 + i));
        }

        routes.Add(new("POST", RouteTemplate.Parse("/hook/{id}", out _)!, 999));
        _table = RouteTable.Build(routes, out _);
    }

    [Benchmark(Description = "match without parameters' values read")]
    public RouteMatchKind MatchOnly() => _table.Match("POST", "/hook/42").Kind;

    [Benchmark(Description = "match + typed parameters")]
    public int MatchWithParameters() => _table.Match("GET", "/api/resource57/42").Parameters().Count;

    [Benchmark(Description = "no match (404)")]
    public RouteMatchKind NotFound() => _table.Match("GET", "/nothing/here").Kind;
}
