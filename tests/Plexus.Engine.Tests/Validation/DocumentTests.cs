using Plexus.Engine.Workflows;

namespace Plexus.Engine.Tests.Validation;

public sealed class DocumentTests
{
    public static TheoryData<string> Examples() => [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "examples"), "*.json").Select(f => Path.GetFileName(f))];

    [Theory]
    [MemberData(nameof(Examples))]
    public void Every_example_round_trips_exactly(string file)
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "examples", file));

        var parsed = WorkflowFile.Parse(text);
        Assert.True(parsed.Succeeded, string.Join("; ", parsed.Problems));
        var written = WorkflowFile.Write(parsed.Document!);
        var reparsed = WorkflowFile.Parse(written).Document!;

        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(
            System.Text.Json.Nodes.JsonNode.Parse(text), System.Text.Json.Nodes.JsonNode.Parse(written)), written);
        Assert.Equal(written, WorkflowFile.Write(reparsed));
    }

    [Fact]
    public void Malformed_json_is_reported_with_line_and_column()
    {
        var parsed = WorkflowFile.Parse("{\n  \"schema\": \"plexus/workflow@1\",\n  \"name\": oops\n}");

        var problem = Assert.Single(parsed.Problems);
        Assert.Contains("line 3, column", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_property_is_refused_with_its_path()
    {
        var parsed = WorkflowFile.Parse("""{ "schema": "plexus/workflow@1", "name": "x", "nodes": [ { "id": "a", "type": "data.set", "setings": {} } ] }""");

        var problem = Assert.Single(parsed.Problems);
        Assert.Equal("nodes[0].setings", problem.Path);
        Assert.StartsWith("unknown property 'setings'", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_of_the_wrong_type_is_reported_with_its_path()
    {
        var parsed = WorkflowFile.Parse("""{ "schema": "plexus/workflow@1", "name": "x", "nodes": [ { "id": "a", "type": "data.set", "timeoutMs": "soon" } ] }""");

        var problem = Assert.Single(parsed.Problems);
        Assert.Equal("nodes[0].timeoutMs", problem.Path);
        Assert.Contains("expected an integer", problem.Message, StringComparison.Ordinal);
    }
}
