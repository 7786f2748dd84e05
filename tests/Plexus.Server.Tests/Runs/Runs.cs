using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Plexus.Server.Tests.Projects;

namespace Plexus.Server.Tests.Runs;

/// <summary>Running workflows and reading executions over HTTP, in a line each.</summary>
internal static class Runs
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary><c>POST /api/v1/workflows/{id}/runs</c> with <paramref name="body"/> (an empty object when null).</summary>
    public static Task<HttpResponseMessage> RunAsync(this Member member, Guid workflowId, object? body = null, bool wait = true, string query = "")
    {
        ArgumentNullException.ThrowIfNull(member);
        var url = $"/api/v1/workflows/{workflowId}/runs" + (wait ? "?wait=true" : "?wait=false") + query;
        return member.Http.PostAsJsonAsync(url, body ?? new { }, Ct);
    }

    /// <summary>Runs with <c>?wait=true</c> and answers the execution (asserting 200).</summary>
    public static async Task<JsonObject> RanAsync(this Member member, Guid workflowId, object? body = null) =>
        await Expect.JsonAsync(await member.RunAsync(workflowId, body));

    public static async Task<JsonObject> ExecutionAsync(this Member member, string id)
    {
        ArgumentNullException.ThrowIfNull(member);
        return await Expect.JsonAsync(await member.Http.GetAsync($"/api/v1/executions/{id}", Ct));
    }

    /// <summary>Reads the execution until it is no longer queued or running (a run started without waiting).</summary>
    public static async Task<JsonObject> EndedAsync(this Member member, string id)
    {
        for (var i = 0; ; i++)
        {
            var execution = await member.ExecutionAsync(id);
            if (execution["status"]!.GetValue<string>() is not ("queued" or "running") || i == 200)
            {
                return execution;
            }

            await Task.Delay(50, Ct);
        }
    }

    /// <summary>A workflow of a new project whose draft is <paramref name="document"/>.</summary>
    public static async Task<Guid> WorkflowAsync(this Member member, string document)
    {
        ArgumentNullException.ThrowIfNull(member);
        var (_, workflow) = await member.ProjectWithWorkflowAsync(document);
        return workflow;
    }

    public static string Text(this JsonNode? node) => node?.GetValue<string>() ?? "";

    public static IReadOnlyList<string> NodeIds(JsonObject execution) =>
        [.. execution["nodes"]!.AsArray().Select(n => n!["nodeId"].Text())];

    public static void Is(this HttpResponseMessage answer, HttpStatusCode status)
    {
        ArgumentNullException.ThrowIfNull(answer);
        Assert.True(answer.StatusCode == status, $"expected {(int)status}, got {(int)answer.StatusCode}: {answer.Content.ReadAsStringAsync(Ct).Result}");
    }
}

/// <summary>Workflow documents the run specs use.</summary>
internal static class Flows
{
    /// <summary>Doubles <c>input.n</c>: start → double → done.</summary>
    public const string Double = """
        { "schema": "plexus/workflow@1", "name": "double",
          "nodes": [
            { "id": "start", "type": "trigger.manual" },
            { "id": "double", "type": "data.set", "settings": { "value": "={{ input.n * 2 }}" } },
            { "id": "done", "type": "flow.return", "settings": { "value": { "doubled": "={{ input }}" } } }
          ],
          "edges": [ { "from": "start", "to": "double" }, { "from": "double", "to": "done" } ] }
        """;

    /// <summary>Like <see cref="Double"/> but triples: what a later version says.</summary>
    public const string Triple = """
        { "schema": "plexus/workflow@1", "name": "double",
          "nodes": [
            { "id": "start", "type": "trigger.manual" },
            { "id": "double", "type": "data.set", "settings": { "value": "={{ input.n * 3 }}" } },
            { "id": "done", "type": "flow.return", "settings": { "value": { "doubled": "={{ input }}" } } }
          ],
          "edges": [ { "from": "start", "to": "double" }, { "from": "double", "to": "done" } ] }
        """;

    public const string Failing = """
        { "schema": "plexus/workflow@1", "name": "failing",
          "nodes": [
            { "id": "start", "type": "trigger.manual" },
            { "id": "boom", "type": "flow.fail", "settings": { "message": "it broke" } }
          ],
          "edges": [ { "from": "start", "to": "boom" } ] }
        """;

    /// <summary>Waits a minute before it ends.</summary>
    public const string Slow = """
        { "schema": "plexus/workflow@1", "name": "slow",
          "nodes": [
            { "id": "start", "type": "trigger.manual" },
            { "id": "pause", "type": "flow.wait", "settings": { "mode": "duration", "durationMs": 60000 } }
          ],
          "edges": [ { "from": "start", "to": "pause" } ] }
        """;

    public const string Secret = """
        { "schema": "plexus/workflow@1", "name": "secret",
          "nodes": [
            { "id": "start", "type": "trigger.manual" },
            { "id": "header", "type": "data.set", "settings": { "value": { "auth": "Bearer <secret:apiKey>", "direct": "={{ secret('apiKey') }}" } } },
            { "id": "done", "type": "flow.return" }
          ],
          "edges": [ { "from": "start", "to": "header" }, { "from": "header", "to": "done" } ] }
        """;

    public static string Approval => File.ReadAllText(Path.Combine(Repository(), "examples", "approval.json"));

    private static string Repository()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Plexus.slnx")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("the repository root (Plexus.slnx) was not found");
    }
}
