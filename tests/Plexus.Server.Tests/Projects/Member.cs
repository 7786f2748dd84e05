using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Plexus.Persistence;
using Plexus.Server.Tests.Support;

namespace Plexus.Server.Tests.Projects;

/// <summary>
/// A signed-up user calling the API over real HTTP with their token, in their own organisation (<see cref="OrgId"/>);
/// with helpers that make a project or a workflow in one line.
/// </summary>
internal sealed class Member(PlexusServer server, HttpClient http, Guid userId, Guid orgId, string email)
{
    public HttpClient Http { get; } = http;
    public Guid UserId { get; } = userId;
    public Guid OrgId { get; } = orgId;
    public string Email { get; } = email;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<Member> SignUpAsync(PlexusServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var user = await Support.Accounts.SignUpAsync(server.CreateClient());
        return new Member(server, server.ClientWithToken(user.Token), user.UserId, user.OrgId, user.Email);
    }

    /// <summary>A new user whom <paramref name="owner"/> adds to their organisation with <paramref name="role"/>, acting there.</summary>
    public static async Task<Member> JoinAsync(PlexusServer server, Member owner, string role)
    {
        ArgumentNullException.ThrowIfNull(owner);
        var member = await SignUpAsync(server);
        await Support.Accounts.AddMemberAsync(owner.Http, owner.OrgId, member.Email, role);
        return new Member(server, member.Http, member.UserId, owner.OrgId, member.Email);
    }

    public static string NewSlug() => "p-" + Guid.NewGuid().ToString("n")[..12];

    public async Task<Guid> CreateProjectAsync(string? slug = null)
    {
        var answer = await Http.PostAsJsonAsync($"/api/v1/orgs/{OrgId}/projects", new { name = "Shop", slug = slug ?? NewSlug() }, Ct);
        return await IdOfCreatedAsync(answer);
    }

    /// <summary>A workflow from <paramref name="document"/> (JSON), or the starter when null.</summary>
    public async Task<Guid> CreateWorkflowAsync(Guid projectId, string name = "greet", string? document = null)
    {
        var body = new JsonObject { ["name"] = name };
        if (document is not null)
        {
            body["document"] = JsonNode.Parse(document);
        }

        var answer = await Http.PostAsJsonAsync($"/api/v1/projects/{projectId}/workflows", body, Ct);
        return await IdOfCreatedAsync(answer);
    }

    public async Task<(Guid Project, Guid Workflow)> ProjectWithWorkflowAsync(string? document = null)
    {
        var project = await CreateProjectAsync();
        return (project, await CreateWorkflowAsync(project, document: document));
    }

    public async Task<string> ETagOfDraftAsync(Guid workflowId)
    {
        var answer = await Http.GetAsync($"/api/v1/workflows/{workflowId}/draft", Ct);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        return answer.Headers.ETag!.ToString();
    }

    public Task<HttpResponseMessage> PutDraftAsync(Guid workflowId, string document, string? ifMatch, bool allowInvalid = false)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/workflows/{workflowId}/draft" + (allowInvalid ? "?allowInvalid=true" : ""))
        {
            Content = new StringContent(document, Encoding.UTF8, "application/json"),
        };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return Http.SendAsync(request, Ct);
    }

    /// <summary>Saves the document as the draft (reading the ETag first) and freezes it; the new version's number.</summary>
    public async Task<int> FreezeAsync(Guid workflowId, string? document = null)
    {
        if (document is not null)
        {
            var saved = await PutDraftAsync(workflowId, document, await ETagOfDraftAsync(workflowId));
            Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        }

        var answer = await Http.PostAsync($"/api/v1/workflows/{workflowId}/versions", null, Ct);
        Assert.Equal(HttpStatusCode.Created, answer.StatusCode);
        return (await answer.Content.ReadFromJsonAsync<JsonObject>(Ct))!["version"]!.GetValue<int>();
    }

    public async Task<T> WithDatabaseAsync<T>(Func<AppDbContext, Task<T>> query)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var scope = server.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<AppDbContext>());
    }

    private static async Task<Guid> IdOfCreatedAsync(HttpResponseMessage answer)
    {
        var text = await answer.Content.ReadAsStringAsync(Ct);
        Assert.True(answer.StatusCode == HttpStatusCode.Created, $"{(int)answer.StatusCode}: {text}");
        return Guid.Parse(JsonNode.Parse(text)!["id"]!.GetValue<string>());
    }
}

/// <summary>What the answers should be.</summary>
internal static class Expect
{
    /// <summary>Asserts an RFC 7807 problem with the status and stable code; returns it for more checks.</summary>
    public static async Task<JsonObject> ProblemAsync(HttpResponseMessage answer, HttpStatusCode status, string code)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var text = await answer.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(answer.StatusCode == status, $"expected {(int)status}, got {(int)answer.StatusCode}: {text}");
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(text)!.AsObject();
        Assert.Equal(code, problem["code"]?.GetValue<string>());
        return problem;
    }

    public static async Task<JsonObject> JsonAsync(HttpResponseMessage answer, HttpStatusCode status = HttpStatusCode.OK)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var text = await answer.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(answer.StatusCode == status, $"expected {(int)status}, got {(int)answer.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>The paths of a validation problem's <c>errors</c>, sorted.</summary>
    public static IReadOnlyList<string> ErrorPaths(JsonObject problem) =>
        [.. problem["errors"]!.AsObject().Select(e => e.Key).Order(StringComparer.Ordinal)];
}

/// <summary>Workflow documents the specs use.</summary>
internal static class Documents
{
    public const string Hello = """
        { "schema": "plexus/workflow@1", "name": "greet",
          "nodes": [
            { "id": "start", "type": "trigger.manual" },
            { "id": "done", "type": "flow.return", "settings": { "value": "hello" } }
          ],
          "edges": [ { "from": "start", "to": "done" } ] }
        """;

    public const string Goodbye = """
        { "schema": "plexus/workflow@1", "name": "greet",
          "nodes": [
            { "id": "start", "type": "trigger.manual" },
            { "id": "done", "type": "flow.return", "settings": { "value": "goodbye" } }
          ],
          "edges": [ { "from": "start", "to": "done" } ] }
        """;

    /// <summary>Two problems: <c>nodes[2].settings.status</c> and <c>edges[2].to</c>.</summary>
    public const string Invalid = """
        { "schema": "plexus/workflow@1", "name": "greet",
          "nodes": [
            { "id": "hook", "type": "http.trigger", "settings": { "method": "POST", "path": "/hook" } },
            { "id": "ok", "type": "flow.return", "settings": { "value": 1 } },
            { "id": "reply", "type": "http.response", "settings": { "status": 999 } }
          ],
          "edges": [ { "from": "hook", "to": "ok" }, { "from": "ok", "to": "reply" }, { "from": "reply", "to": "ghost" } ] }
        """;
}
