using System.Net;
using System.Net.Http.Json;
using Plexus.Server.Tests.Support;

namespace Plexus.Server.Tests.Accounts;

/// <summary>A restarted server (a new host on the same database) keeps accounts, sessions, keys and its signing key.</summary>
public abstract class RestartSpec<TServer>(TServer server) : IClassFixture<TServer> where TServer : PlexusServer
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sessions_keys_and_tokens_survive_a_restart()
    {
        if (server.SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }

        SignedUp user;
        string key;
        await using (var before = server.WithWebHostBuilder(_ => { }))
        {
            user = await Support.Accounts.SignUpAsync(before.CreateClient());
            key = await Support.Accounts.CreateApiKeyAsync(before.ClientWithToken(user.Token), user.OrgId, "workflows:read");
        }

        await using var after = server.WithWebHostBuilder(_ => { });
        var withOldToken = await after.ClientWithToken(user.Token).GetAsync($"/api/v1/orgs/{user.OrgId}", Ct);
        var withKey = await after.ClientWithApiKey(key).GetAsync($"/api/v1/orgs/{user.OrgId}", Ct);
        var refresh = await after.CreateClient().PostJsonAsync("/api/v1/auth/refresh", new { refreshToken = user.RefreshToken });
        var login = await after.CreateClient().PostJsonAsync("/api/v1/auth/login", new { email = user.Email, password = user.Password });

        Assert.Equal(HttpStatusCode.OK, withOldToken.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);
        Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
    }

    [Fact]
    public async Task Projects_workflows_and_encrypted_secrets_survive_a_restart()
    {
        if (server.SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }

        const string Secret = "restart-proof-secret";
        SignedUp user;
        string workflowId;
        await using (var before = server.WithWebHostBuilder(_ => { }))
        {
            user = await Support.Accounts.SignUpAsync(before.CreateClient());
            var client = before.ClientWithToken(user.Token);
            var project = await (await client.PostJsonAsync($"/api/v1/orgs/{user.OrgId}/projects", new { name = "Shop", slug = "shop-" + Guid.NewGuid().ToString("n")[..8] })).OkJsonAsync(HttpStatusCode.Created);
            var projectId = project["id"]!.GetValue<string>();
            (await client.PutAsJsonAsync($"/api/v1/projects/{projectId}/stages/dev/secrets/token", new { value = Secret }, Ct)).EnsureSuccessStatusCode();
            var document = System.Text.Json.Nodes.JsonNode.Parse("""
                { "schema": "plexus/workflow@1", "name": "len",
                  "nodes": [ { "id": "start", "type": "trigger.manual" },
                             { "id": "result", "type": "flow.return", "settings": { "value": { "length": "={{ secret('token').length }}" } } } ],
                  "edges": [ { "from": "start", "to": "result" } ] }
                """);
            var workflow = await (await client.PostJsonAsync($"/api/v1/projects/{projectId}/workflows", new { name = "len", document })).OkJsonAsync(HttpStatusCode.Created);
            workflowId = workflow["id"]!.GetValue<string>();
        }

        await using var after = server.WithWebHostBuilder(_ => { });
        var run = await after.ClientWithToken(user.Token).PostJsonAsync($"/api/v1/workflows/{workflowId}/runs?wait=true", new { });

        var execution = await run.OkJsonAsync();
        Assert.Equal("succeeded", execution["status"]!.GetValue<string>());
        Assert.Equal(Secret.Length, execution["result"]!["length"]!.GetValue<int>());
    }
}

public sealed class RestartOnSqlite(SqliteServer server) : RestartSpec<SqliteServer>(server);

public sealed class RestartOnPostgres(PostgresServer server) : RestartSpec<PostgresServer>(server);
