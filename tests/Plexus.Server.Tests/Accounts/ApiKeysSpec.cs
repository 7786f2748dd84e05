using System.Net;
using Plexus.Server.Tests.Support;

namespace Plexus.Server.Tests.Accounts;

/// <summary>API keys: shown once, act for their organisation within their scopes, stop at revocation; on each database.</summary>
public abstract class ApiKeysSpec<TServer>(TServer server) : IClassFixture<TServer> where TServer : PlexusServer
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(HttpClient Client, SignedUp User)> SignedInAsync()
    {
        if (server.SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }

        return await server.SignedInClientAsync();
    }

    [Fact]
    public async Task A_new_key_is_answered_once_and_listed_without_its_secret()
    {
        var (client, user) = await SignedInAsync();

        var created = await (await client.PostJsonAsync($"/api/v1/orgs/{user.OrgId}/api-keys",
            new { name = "ci", scopes = new[] { "workflows:read", "executions:run" } })).OkJsonAsync(HttpStatusCode.Created);
        var list = await client.GetStringAsync($"/api/v1/orgs/{user.OrgId}/api-keys", Ct);
        var audit = await client.GetStringAsync($"/api/v1/orgs/{user.OrgId}/audit", Ct);

        var key = created["key"]!.GetValue<string>();
        var prefix = created["prefix"]!.GetValue<string>();
        Assert.Matches("^plx_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$", key);
        Assert.StartsWith(prefix + "_", key, StringComparison.Ordinal);
        Assert.Equal(["workflows:read", "executions:run"], created["scopes"]!.AsArray().Select(s => s!.GetValue<string>()));
        var secret = key[(prefix.Length + 1)..];
        Assert.Contains(prefix, list, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, list, StringComparison.Ordinal);
        Assert.Contains("api-key.create", audit, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, audit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_works_as_a_bearer_token_and_as_x_api_key_and_records_its_last_use()
    {
        var (client, user) = await SignedInAsync();
        var key = await Support.Accounts.CreateApiKeyAsync(client, user.OrgId, "workflows:read");

        var asBearer = await server.ClientWithToken(key).GetAsync($"/api/v1/orgs/{user.OrgId}", Ct);
        var asHeader = await server.ClientWithApiKey(key).GetAsync($"/api/v1/orgs/{user.OrgId}/members", Ct);
        var list = await (await client.GetAsync($"/api/v1/orgs/{user.OrgId}/api-keys", Ct)).OkJsonAsync();

        Assert.Equal(HttpStatusCode.OK, asBearer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, asHeader.StatusCode);
        Assert.NotNull(list["items"]![0]!["lastUsedAt"]?.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task A_revoked_key_is_a_401_problem()
    {
        var (client, user) = await SignedInAsync();
        var created = await (await client.PostJsonAsync($"/api/v1/orgs/{user.OrgId}/api-keys",
            new { name = "old", scopes = new[] { "workflows:read" } })).OkJsonAsync(HttpStatusCode.Created);
        var keyClient = server.ClientWithApiKey(created["key"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await keyClient.GetAsync($"/api/v1/orgs/{user.OrgId}", Ct)).StatusCode);

        var revoke = await client.DeleteAsync($"/api/v1/orgs/{user.OrgId}/api-keys/{created["id"]}", Ct);
        var after = await keyClient.GetAsync($"/api/v1/orgs/{user.OrgId}", Ct);
        var list = await (await client.GetAsync($"/api/v1/orgs/{user.OrgId}/api-keys", Ct)).OkJsonAsync();

        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        var problem = await after.ProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains("revoked", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotNull(list["items"]![0]!["revokedAt"]?.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task An_unknown_key_is_a_401_problem()
    {
        if (server.SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }

        var answer = await server.ClientWithApiKey("plx_abcdefgh_" + new string('x', 43)).GetAsync("/api/v1/orgs", Ct);

        await answer.ProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task A_key_without_the_scope_is_a_403_problem()
    {
        var (client, user) = await SignedInAsync();
        var key = await Support.Accounts.CreateApiKeyAsync(client, user.OrgId, "workflows:read");

        var answer = await server.ClientWithApiKey(key).GetAsync($"/api/v1/orgs/{user.OrgId}/api-keys", Ct);

        var problem = await answer.ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Contains("admin", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("members")]
    [InlineData("api-keys")]
    [InlineData("audit")]
    public async Task A_key_of_another_organisation_is_answered_404(string what)
    {
        var (_, a) = await SignedInAsync();
        var (clientB, b) = await SignedInAsync();
        var keyOfB = await Support.Accounts.CreateApiKeyAsync(clientB, b.OrgId);

        var answer = await server.ClientWithApiKey(keyOfB).GetAsync($"/api/v1/orgs/{a.OrgId}/{what}", Ct);

        await answer.ProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task A_viewer_cannot_create_a_key()
    {
        var (ownerClient, owner) = await SignedInAsync();
        var (viewerClient, viewer) = await SignedInAsync();
        await Support.Accounts.AddMemberAsync(ownerClient, owner.OrgId, viewer.Email, "viewer");

        var answer = await viewerClient.PostJsonAsync($"/api/v1/orgs/{owner.OrgId}/api-keys", new { name = "mine", scopes = new[] { "workflows:read" } });

        await answer.ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Unknown_scopes_are_named_by_position()
    {
        var (client, user) = await SignedInAsync();

        var answer = await client.PostJsonAsync($"/api/v1/orgs/{user.OrgId}/api-keys", new { name = "x", scopes = new[] { "workflows:read", "everything" } });

        var problem = await answer.ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        Assert.NotNull(problem["errors"]!["scopes[1]"]);
    }

    [Fact]
    public async Task A_key_can_only_hand_on_scopes_it_has()
    {
        var (client, user) = await SignedInAsync();
        var admin = await Support.Accounts.CreateApiKeyAsync(client, user.OrgId, "admin");

        var answer = await server.ClientWithApiKey(admin).PostJsonAsync($"/api/v1/orgs/{user.OrgId}/api-keys", new { name = "x", scopes = new[] { "workflows:write" } });

        var problem = await answer.ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        Assert.NotNull(problem["errors"]!["scopes[0]"]);
    }
}

public sealed class ApiKeysOnSqlite(SqliteServer server) : ApiKeysSpec<SqliteServer>(server);

public sealed class ApiKeysOnPostgres(PostgresServer server) : ApiKeysSpec<PostgresServer>(server);
