using Plexus.Cli;
using Plexus.Nodes;
using static Plexus.Engine.Tests.Cli.PlexusCli;

namespace Plexus.Engine.Tests.Cli;

public sealed class NodesCommandTests
{
    [Fact]
    public async Task Lists_every_node_type_with_category_and_description()
    {
        var run = (await RunAsync("nodes")).Exits(ExitCodes.Ok);

        var types = BuiltInNodes.All();
        Assert.Equal(20, types.Count);
        // The first cell of each table row (long descriptions wrap onto rows whose first cell is empty).
        var firstCells = run.Stdout.Split('\n').Where(l => l.StartsWith("│ ", StringComparison.Ordinal))
            .Select(l => l.Split('│')[1].Trim()).Where(t => t.Length > 0).ToList();
        Assert.Equal("type", firstCells[0]);
        Assert.Equal(types.Select(t => t.Info.Type).Order(StringComparer.Ordinal), firstCells.Skip(1).Order(StringComparer.Ordinal));
        foreach (var type in types)
        {
            Assert.Contains(type.Info.Category, run.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Shows_one_node_type_with_ports_and_settings_schema()
    {
        var run = (await RunAsync("nodes", "http.response")).Exits(ExitCodes.Ok);

        Assert.Contains("Sends the HTTP answer of the run", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("out, error", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("settings (JSON Schema):", run.Stdout, StringComparison.Ordinal);
        var schema = run.Stdout[run.Stdout.IndexOf('{', StringComparison.Ordinal)..];
        var parsed = System.Text.Json.Nodes.JsonNode.Parse(schema)!;
        Assert.Equal(100, parsed["properties"]!["status"]!["minimum"]!.GetValue<int>());
        Assert.Equal(599, parsed["properties"]!["status"]!["maximum"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_trigger_has_no_inputs()
    {
        var run = (await RunAsync("nodes", "http.trigger")).Exits(ExitCodes.Ok);

        Assert.Contains("none (a trigger starts the run)", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_type_exits_2()
    {
        (await RunAsync("nodes", "nope")).RefusesWith("unknown node type 'nope'");
    }

    [Fact]
    public async Task An_unknown_type_suggests_near_names()
    {
        (await RunAsync("nodes", "http.respons")).RefusesWith("unknown node type 'http.respons'; did you mean 'http.response'");
    }
}
