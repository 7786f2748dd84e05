using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Plexus.Server.Tests.Support;

namespace Plexus.Server.Tests.Platform;

/// <summary>Health, the API reference, the node catalog and the shape of errors; on each database.</summary>
public abstract class PlatformSpec<TServer>(TServer server) : IClassFixture<TServer> where TServer : PlexusServer
{
    private HttpClient Client()
    {
        if (server.SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }

        return server.CreateClient();
    }

    [Fact]
    public async Task Health_answers_live_and_ready_with_the_database()
    {
        var client = Client();

        var live = await client.GetFromJsonAsync<JsonObject>("/health/live", TestContext.Current.CancellationToken);
        var ready = await client.GetFromJsonAsync<JsonObject>("/health/ready", TestContext.Current.CancellationToken);

        Assert.Equal("live", live!["status"]!.GetValue<string>());
        Assert.Equal("ready", ready!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_openapi_document_and_the_browsable_reference_are_served()
    {
        var client = Client();

        var document = await client.GetFromJsonAsync<JsonObject>("/openapi/v1.json", TestContext.Current.CancellationToken);
        var reference = await client.GetAsync("/api/docs/", TestContext.Current.CancellationToken);

        Assert.NotNull(document!["paths"]!["/api/v1/node-types"]);
        Assert.Equal(HttpStatusCode.OK, reference.StatusCode);
        Assert.Contains("text/html", reference.Content.Headers.ContentType!.MediaType, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_operation_is_named_summarised_tagged_and_lists_its_problems()
    {
        var client = Client();

        var document = await client.GetFromJsonAsync<JsonObject>("/openapi/v1.json", TestContext.Current.CancellationToken);

        // The two that cannot fail but by a broken process.
        string[] cannotFail = ["GET /health/live", "GET /api/v1/node-types"];
        var operations = document!["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(op => (Name: $"{op.Key.ToUpperInvariant()} {path.Key}", Operation: op.Value!.AsObject())))
            .ToList();
        Assert.True(operations.Count > 40, $"only {operations.Count} operations documented");
        Assert.All(operations, op =>
        {
            Assert.True(op.Operation.ContainsKey("operationId"), $"{op.Name} has no operationId");
            Assert.True(op.Operation.ContainsKey("summary"), $"{op.Name} has no summary");
            Assert.True(op.Operation.ContainsKey("tags"), $"{op.Name} has no tag");
            var problems = op.Operation["responses"]!.AsObject().Select(r => r.Key).Where(code => code[0] is '4' or '5').ToList();
            Assert.True(problems.Count > 0 || cannotFail.Contains(op.Name), $"{op.Name} lists no problem response");
        });
    }

    [Fact]
    public async Task The_node_catalog_lists_every_built_in_type_with_its_schema()
    {
        var client = Client();

        var list = await client.GetFromJsonAsync<JsonObject>("/api/v1/node-types", TestContext.Current.CancellationToken);

        var types = list!["items"]!.AsArray();
        Assert.Equal(Plexus.Nodes.BuiltInNodes.All().Count, types.Count);
        var response = types.Single(t => t!["type"]!.GetValue<string>() == "http.response")!;
        Assert.Equal("integer", response["settingsSchema"]!["properties"]!["status"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unknown_node_type_is_a_404_problem_with_a_stable_code()
    {
        var client = Client();

        var answer = await client.GetAsync("/api/v1/node-types/nope", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType!.MediaType);
        var problem = await answer.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken);
        Assert.Equal("not-found", problem!["code"]!.GetValue<string>());
        Assert.Equal(404, problem["status"]!.GetValue<int>());
    }
}

public sealed class PlatformOnSqlite(SqliteServer server) : PlatformSpec<SqliteServer>(server);

public sealed class PlatformOnPostgres(PostgresServer server) : PlatformSpec<PostgresServer>(server);
