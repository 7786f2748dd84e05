using System.Net;
using Plexus.Server.Tests.Support;

namespace Plexus.Server.Tests.Accounts;

/// <summary>Organisations and their members: roles, owner rules, isolation between tenants; on each database.</summary>
public abstract class OrganizationsSpec<TServer>(TServer server) : IClassFixture<TServer> where TServer : PlexusServer
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
    public async Task A_new_organisation_is_owned_by_its_creator_and_listed_with_my_role()
    {
        var (client, _) = await SignedInAsync();

        var created = await (await client.PostJsonAsync("/api/v1/orgs", new { name = "Acme" })).OkJsonAsync(HttpStatusCode.Created);
        var mine = await (await client.GetAsync("/api/v1/orgs", Ct)).OkJsonAsync();

        Assert.Equal("owner", created["role"]!.GetValue<string>());
        var items = mine["items"]!.AsArray();
        Assert.Equal(2, items.Count);
        Assert.Contains(items, o => o!["name"]!.GetValue<string>() == "Acme" && o["role"]!.GetValue<string>() == "owner");
        Assert.Null(mine["next"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/members")]
    [InlineData("/api-keys")]
    [InlineData("/audit")]
    public async Task A_user_of_another_organisation_is_answered_404(string what)
    {
        var (_, a) = await SignedInAsync();
        var (clientB, _) = await SignedInAsync();

        var answer = await clientB.GetAsync($"/api/v1/orgs/{a.OrgId}{what}", Ct);

        await answer.ProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task An_admin_adds_changes_and_removes_members()
    {
        var (owner, org) = await SignedInAsync();
        var (_, member) = await SignedInAsync();

        var added = await (await owner.PostJsonAsync($"/api/v1/orgs/{org.OrgId}/members", new { email = member.Email, role = "viewer" })).OkJsonAsync(HttpStatusCode.Created);
        var changed = await (await owner.PatchJsonAsync($"/api/v1/orgs/{org.OrgId}/members/{member.UserId}", new { role = "editor" })).OkJsonAsync();
        var list = await (await owner.GetAsync($"/api/v1/orgs/{org.OrgId}/members", Ct)).OkJsonAsync();
        var removed = await owner.DeleteAsync($"/api/v1/orgs/{org.OrgId}/members/{member.UserId}", Ct);
        var after = await (await owner.GetAsync($"/api/v1/orgs/{org.OrgId}/members", Ct)).OkJsonAsync();

        Assert.Equal("viewer", added["role"]!.GetValue<string>());
        Assert.Equal("editor", changed["role"]!.GetValue<string>());
        Assert.Equal(2, list["items"]!.AsArray().Count);
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Single(after["items"]!.AsArray());
    }

    [Fact]
    public async Task Adding_an_unknown_email_is_a_422_at_email()
    {
        var (owner, org) = await SignedInAsync();

        var answer = await owner.PostJsonAsync($"/api/v1/orgs/{org.OrgId}/members", new { email = "nobody-here@example.com", role = "viewer" });

        var problem = await answer.ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        Assert.NotNull(problem["errors"]!["email"]);
    }

    [Fact]
    public async Task An_editor_cannot_manage_members()
    {
        var (owner, org) = await SignedInAsync();
        var (editor, editorUser) = await SignedInAsync();
        var (_, other) = await SignedInAsync();
        await Support.Accounts.AddMemberAsync(owner, org.OrgId, editorUser.Email, "editor");

        var answer = await editor.PostJsonAsync($"/api/v1/orgs/{org.OrgId}/members", new { email = other.Email, role = "viewer" });

        await answer.ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Only_an_owner_makes_an_owner()
    {
        var (owner, org) = await SignedInAsync();
        var (admin, adminUser) = await SignedInAsync();
        var (_, other) = await SignedInAsync();
        await Support.Accounts.AddMemberAsync(owner, org.OrgId, adminUser.Email, "admin");
        await Support.Accounts.AddMemberAsync(owner, org.OrgId, other.Email, "viewer");

        var byAdmin = await admin.PatchJsonAsync($"/api/v1/orgs/{org.OrgId}/members/{other.UserId}", new { role = "owner" });
        var adminDemotesOwner = await admin.PatchJsonAsync($"/api/v1/orgs/{org.OrgId}/members/{org.UserId}", new { role = "viewer" });
        var byOwner = await owner.PatchJsonAsync($"/api/v1/orgs/{org.OrgId}/members/{other.UserId}", new { role = "owner" });

        await byAdmin.ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        await adminDemotesOwner.ProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(HttpStatusCode.OK, byOwner.StatusCode);
    }

    [Fact]
    public async Task The_last_owner_can_be_neither_demoted_nor_removed()
    {
        var (owner, org) = await SignedInAsync();

        var demote = await owner.PatchJsonAsync($"/api/v1/orgs/{org.OrgId}/members/{org.UserId}", new { role = "admin" });
        var leave = await owner.DeleteAsync($"/api/v1/orgs/{org.OrgId}/members/{org.UserId}", Ct);

        await demote.ProblemAsync(HttpStatusCode.Conflict, "last-owner");
        await leave.ProblemAsync(HttpStatusCode.Conflict, "last-owner");
    }

    [Fact]
    public async Task With_a_second_owner_the_first_may_step_down()
    {
        var (owner, org) = await SignedInAsync();
        var (_, second) = await SignedInAsync();
        await Support.Accounts.AddMemberAsync(owner, org.OrgId, second.Email, "owner");

        var demote = await owner.PatchJsonAsync($"/api/v1/orgs/{org.OrgId}/members/{org.UserId}", new { role = "admin" });

        Assert.Equal(HttpStatusCode.OK, demote.StatusCode);
    }

    [Fact]
    public async Task A_member_may_leave()
    {
        var (owner, org) = await SignedInAsync();
        var (viewer, viewerUser) = await SignedInAsync();
        await Support.Accounts.AddMemberAsync(owner, org.OrgId, viewerUser.Email, "viewer");

        var leave = await viewer.DeleteAsync($"/api/v1/orgs/{org.OrgId}/members/{viewerUser.UserId}", Ct);
        var after = await viewer.GetAsync($"/api/v1/orgs/{org.OrgId}", Ct);

        Assert.Equal(HttpStatusCode.NoContent, leave.StatusCode);
        await after.ProblemAsync(HttpStatusCode.NotFound, "not-found");
    }
}

public sealed class OrganizationsOnSqlite(SqliteServer server) : OrganizationsSpec<SqliteServer>(server);

public sealed class OrganizationsOnPostgres(PostgresServer server) : OrganizationsSpec<PostgresServer>(server);
