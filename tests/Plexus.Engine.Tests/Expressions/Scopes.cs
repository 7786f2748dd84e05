using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Plexus.Engine.Expressions;

namespace Plexus.Engine.Tests.Expressions;

/// <summary>Node outputs from a dictionary, counting lookups.</summary>
internal sealed class NodeOutputs(Dictionary<string, JsonNode?> outputs) : INodeOutputs
{
    public int Lookups { get; private set; }

    public bool TryGetOutput(string nodeId, out JsonNode? output)
    {
        Lookups++;
        return outputs.TryGetValue(nodeId, out output);
    }
}

internal static class Scopes
{
    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static ScriptScope Sample(INodeOutputs? nodes = null, JsonNode? loop = null) => new()
    {
        Input = JsonNode.Parse("""{ "body": { "numbers": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "name": "Ada" }, "count": 3 }"""),
        Trigger = JsonNode.Parse("""{ "method": "POST", "path": "/orders/42", "params": { "id": "42" }, "query": {}, "headers": { "x-a": "1" }, "body": { "name": "Grace" } }"""),
        Nodes = nodes,
        Env = new Dictionary<string, string> { ["REGION"] = "eu-west", ["API_URL"] = "https://api.example.com" },
        Execution = JsonNode.Parse("""{ "id": "ex-1", "stage": "test", "workflow": "orders" }"""),
        Loop = loop,
        Secret = name => name == "token" ? "s3cr3t" : null,
    };

    public static ScriptOutcome Evaluate(this ScriptHost host, string json, ScriptScope? scope = null) =>
        host.Evaluate(host.Compile(JsonNode.Parse(json)), scope ?? Sample(), CancellationToken.None);

    public static ScriptOutcome EvaluateString(this ScriptHost host, string setting, ScriptScope? scope = null) =>
        host.Evaluate(host.Compile(JsonValue.Create(setting)), scope ?? Sample(), CancellationToken.None);

    public static string Json(this ScriptOutcome outcome)
    {
        Assert.True(outcome.Succeeded, outcome.Error?.ToString());
        return outcome.Value?.ToJsonString(Readable) ?? "null";
    }
}
