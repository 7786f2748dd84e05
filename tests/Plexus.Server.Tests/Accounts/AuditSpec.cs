using System.Net;
using Plexus.Server.Tests.Support;

namespace Plexus.Server.Tests.Accounts;

/// <summary>The audit log: written with the changes it records, read by admins page by page; on each database.</summary>
public abstract class AuditSpec<TServer>(TServer server) : IClassFixture<TServer> where TServer : PlexusServer
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
    public async Task Security_actions_are_recorded_newest_first_for_admins()
    {
        var (owner, org) = await SignedInAsync();
        var (_, member) = await SignedInAsync();
        await Support.Accounts.AddMemberAsync(owner, org.OrgId, member.Email, "viewer");
        await owner.PatchJsonAsync($"/api/v1/orgs/{org.OrgId}/members/{member.UserId}", new { role = "editor" });
        var key = await (await owner.PostJsonAsync($"/api/v1/orgs/{org.OrgId}/api-keys", new { name = "k", scopes = new[] { "admin" } })).OkJsonAsync(HttpStatusCode.Created);
        await owner.DeleteAsync($"/api/v1/orgs/{org.OrgId}/api-keys/{key["id"]}", Ct);
        await owner.DeleteAsync($"/api/v1/orgs/{org.OrgId}/members/{member.UserId}", Ct);
        await server.CreateClient().PostJsonAsync("/api/v1/auth/login", new { email = org.Email, password = "wrong password!" });
        await server.CreateClient().PostJsonAsync("/api/v1/auth/login", new { email = org.Email, password = org.Password });

        var audit = await (await owner.GetAsync($"/api/v1/orgs/{org.OrgId}/audit", Ct)).OkJsonAsync();

        var actions = audit["items"]!.AsArray().Select(e => e!["action"]!.GetValue<string>()).ToList();
        Assert.Equal(
            ["auth.login", "auth.login-failed", "member.remove", "api-key.revoke", "api-key.create", "member.role", "member.add", "auth.signup"],
            actions);
        var roleChange = audit["items"]!.AsArray().Single(e => e!["action"]!.GetValue<string>() == "member.role")!;
        Assert.Equal(member.Email, roleChange["target"]!.GetValue<string>());
        Assert.Equal(org.UserId, roleChange["userId"]!.GetValue<Guid>());
    }

    [Fact]
    public async Task An_editor_cannot_read_the_audit_log()
    {
        var (owner, org) = await SignedInAsync();
        var (editor, editorUser) = await SignedInAsync();
        await Support.Accounts.AddMemberAsync(owner, org.OrgId, editorUser.Email, "editor");

        var answer = await editor.GetAsync($"/api/v1/orgs/{org.OrgId}/audit", Ct);

        await answer.ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task The_log_pages_with_a_cursor()
    {
        var (owner, org) = await SignedInAsync();
        for (var i = 0; i < 3; i++)
        {
            await owner.PostJsonAsync($"/api/v1/orgs/{org.OrgId}/api-keys", new { name = $"k{i}", scopes = new[] { "workflows:read" } });
        }

        var first = await (await owner.GetAsync($"/api/v1/orgs/{org.OrgId}/audit?limit=3", Ct)).OkJsonAsync();
        var next = first["next"]!.GetValue<string>();
        var second = await (await owner.GetAsync($"/api/v1/orgs/{org.OrgId}/audit?limit=3&cursor={next}", Ct)).OkJsonAsync();

        Assert.Equal(3, first["items"]!.AsArray().Count);
        Assert.Equal("auth.signup", Assert.Single(second["items"]!.AsArray())!["action"]!.GetValue<string>());
        Assert.Null(second["next"]);
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=501")]
    [InlineData("cursor=abc")]
    public async Task Bad_paging_parameters_are_a_422(string query)
    {
        var (owner, org) = await SignedInAsync();

        var answer = await owner.GetAsync($"/api/v1/orgs/{org.OrgId}/audit?{query}", Ct);

        var problem = await answer.ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        Assert.NotNull(problem["errors"]![query.Split('=')[0]]);
    }
}

public sealed class AuditOnSqlite(SqliteServer server) : AuditSpec<SqliteServer>(server);

public sealed class AuditOnPostgres(PostgresServer server) : AuditSpec<PostgresServer>(server);
