using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Plexus.Server.Tests.Support;

namespace Plexus.Server.Tests.Projects;

/// <summary>Projects and their stages; on each database.</summary>
public abstract class ProjectsSpec<TServer>(TServer server) : IClassFixture<TServer> where TServer : PlexusServer
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<Member> SignUpAsync()
    {
        if (server.SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }

        return await Member.SignUpAsync(server);
    }

    [Fact]
    public async Task A_new_project_has_the_stages_dev_and_prod()
    {
        var alice = await SignUpAsync();
        var slug = Member.NewSlug();

        var created = await Expect.JsonAsync(
            await alice.Http.PostAsJsonAsync($"/api/v1/orgs/{alice.OrgId}/projects", new { name = "Shop", slug }, Ct), HttpStatusCode.Created);
        var stages = await alice.Http.GetFromJsonAsync<JsonObject>($"/api/v1/projects/{created["id"]}/stages", Ct);

        Assert.Equal(slug, created["slug"]!.GetValue<string>());
        Assert.Equal(alice.OrgId.ToString(), created["organizationId"]!.GetValue<string>());
        Assert.Equal(["dev", "prod"], stages!["items"]!.AsArray().Select(s => s!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_slug_is_unique_across_organisations()
    {
        var alice = await SignUpAsync();
        var bob = await SignUpAsync();
        var slug = Member.NewSlug();
        await alice.CreateProjectAsync(slug);

        var answer = await bob.Http.PostAsJsonAsync($"/api/v1/orgs/{bob.OrgId}/projects", new { name = "Mine", slug }, Ct);

        await Expect.ProblemAsync(answer, HttpStatusCode.Conflict, "slug-taken");
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("-shop")]
    [InlineData("shop-")]
    [InlineData("Shop")]
    [InlineData("sh_op")]
    public async Task A_malformed_slug_is_a_validation_problem_at_slug(string slug)
    {
        var alice = await SignUpAsync();

        var answer = await alice.Http.PostAsJsonAsync($"/api/v1/orgs/{alice.OrgId}/projects", new { name = "Shop", slug }, Ct);

        var problem = await Expect.ProblemAsync(answer, HttpStatusCode.UnprocessableEntity, "validation");
        Assert.Equal(["slug"], Expect.ErrorPaths(problem));
    }

    [Fact]
    public async Task Projects_are_listed_by_slug_in_pages()
    {
        var alice = await SignUpAsync();
        await alice.CreateProjectAsync("c-" + Member.NewSlug());
        await alice.CreateProjectAsync("a-" + Member.NewSlug());
        await alice.CreateProjectAsync("b-" + Member.NewSlug());

        var first = await alice.Http.GetFromJsonAsync<JsonObject>($"/api/v1/orgs/{alice.OrgId}/projects?limit=2", Ct);
        var second = await alice.Http.GetFromJsonAsync<JsonObject>($"/api/v1/orgs/{alice.OrgId}/projects?limit=2&cursor={first!["next"]}", Ct);

        var slugs = first["items"]!.AsArray().Concat(second!["items"]!.AsArray()).Select(p => p!["slug"]!.GetValue<string>()[..1]);
        Assert.Equal(["a", "b", "c"], slugs);
        Assert.Null(second["next"]);
    }

    [Fact]
    public async Task A_project_is_renamed_and_its_retention_set_and_cleared()
    {
        var alice = await SignUpAsync();
        var project = await alice.CreateProjectAsync();

        var changed = await Expect.JsonAsync(await alice.Http.PatchAsJsonAsync(
            $"/api/v1/projects/{project}", new { name = "Store", retentionDays = 30, retentionMaxCount = 1000 }, Ct));
        var cleared = await Expect.JsonAsync(await alice.Http.PatchAsJsonAsync($"/api/v1/projects/{project}", new { retentionDays = 0 }, Ct));

        Assert.Equal("Store", changed["name"]!.GetValue<string>());
        Assert.Equal(30, changed["retentionDays"]!.GetValue<int>());
        Assert.Null(cleared["retentionDays"]);
        Assert.Equal(1000, cleared["retentionMaxCount"]!.GetValue<int>());
        Assert.Equal("Store", cleared["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Deleting_a_project_removes_everything_in_it()
    {
        var alice = await SignUpAsync();
        var (project, workflow) = await alice.ProjectWithWorkflowAsync(Documents.Hello);
        var version = await alice.FreezeAsync(workflow);
        await alice.Http.PostAsJsonAsync($"/api/v1/workflows/{workflow}/publish", new { stage = "prod", version }, Ct);
        await alice.Http.PutAsJsonAsync($"/api/v1/projects/{project}/stages/prod/secrets/TOKEN", new { value = "s3cret" }, Ct);
        await alice.Http.PutAsJsonAsync($"/api/v1/projects/{project}/stages/prod/env/REGION", new { value = "eu" }, Ct);

        var answer = await alice.Http.DeleteAsync($"/api/v1/projects/{project}", Ct);

        Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        await Expect.ProblemAsync(await alice.Http.GetAsync($"/api/v1/projects/{project}", Ct), HttpStatusCode.NotFound, "not-found");
        await Expect.ProblemAsync(await alice.Http.GetAsync($"/api/v1/workflows/{workflow}", Ct), HttpStatusCode.NotFound, "not-found");
        var left = await alice.WithDatabaseAsync(async db =>
            await db.Stages.CountAsync(s => s.ProjectId == project, Ct) + await db.Workflows.CountAsync(w => w.ProjectId == project, Ct)
            + await db.WorkflowVersions.CountAsync(v => v.WorkflowId == workflow, Ct) + await db.Publications.CountAsync(p => p.WorkflowId == workflow, Ct)
            + await db.Secrets.CountAsync(s => s.OrganizationId == alice.OrgId, Ct) + await db.EnvVariables.CountAsync(v => v.OrganizationId == alice.OrgId, Ct));
        Assert.Equal(0, left);
    }

    [Fact]
    public async Task Deleting_a_project_needs_the_admin_permission()
    {
        var alice = await SignUpAsync();
        var project = await alice.CreateProjectAsync();
        var editor = await Member.JoinAsync(server, alice, "editor");

        var answer = await editor.Http.DeleteAsync($"/api/v1/projects/{project}", Ct);

        await Expect.ProblemAsync(answer, HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task A_viewer_reads_a_project_but_cannot_change_it()
    {
        var alice = await SignUpAsync();
        var project = await alice.CreateProjectAsync();
        var viewer = await Member.JoinAsync(server, alice, "viewer");

        var read = await viewer.Http.GetAsync($"/api/v1/projects/{project}", Ct);
        var change = await viewer.Http.PatchAsJsonAsync($"/api/v1/projects/{project}", new { name = "Mine" }, Ct);
        var create = await viewer.Http.PostAsJsonAsync($"/api/v1/orgs/{alice.OrgId}/projects", new { name = "Mine", slug = Member.NewSlug() }, Ct);

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        await Expect.ProblemAsync(change, HttpStatusCode.Forbidden, "forbidden");
        await Expect.ProblemAsync(create, HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task An_unknown_project_is_a_404_problem()
    {
        var alice = await SignUpAsync();

        var answer = await alice.Http.GetAsync($"/api/v1/projects/{Guid.NewGuid()}", Ct);

        await Expect.ProblemAsync(answer, HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task A_stage_is_added_and_deleted()
    {
        var alice = await SignUpAsync();
        var project = await alice.CreateProjectAsync();

        var added = await alice.Http.PostAsJsonAsync($"/api/v1/projects/{project}/stages", new { name = "staging" }, Ct);
        var deleted = await alice.Http.DeleteAsync($"/api/v1/projects/{project}/stages/staging", Ct);
        var stages = await alice.Http.GetFromJsonAsync<JsonObject>($"/api/v1/projects/{project}/stages", Ct);

        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(["dev", "prod"], stages!["items"]!.AsArray().Select(s => s!["name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_stage_name_is_checked_and_unique_in_its_project()
    {
        var alice = await SignUpAsync();
        var project = await alice.CreateProjectAsync();

        var twice = await alice.Http.PostAsJsonAsync($"/api/v1/projects/{project}/stages", new { name = "prod" }, Ct);
        var malformed = await alice.Http.PostAsJsonAsync($"/api/v1/projects/{project}/stages", new { name = "9lives" }, Ct);

        await Expect.ProblemAsync(twice, HttpStatusCode.Conflict, "stage-exists");
        Assert.Equal(["name"], Expect.ErrorPaths(await Expect.ProblemAsync(malformed, HttpStatusCode.UnprocessableEntity, "validation")));
    }

    [Fact]
    public async Task The_dev_stage_cannot_be_deleted()
    {
        var alice = await SignUpAsync();
        var project = await alice.CreateProjectAsync();

        var answer = await alice.Http.DeleteAsync($"/api/v1/projects/{project}/stages/dev", Ct);

        await Expect.ProblemAsync(answer, HttpStatusCode.Conflict, "stage-protected");
    }

    [Fact]
    public async Task Deleting_an_unknown_stage_is_a_404_problem()
    {
        var alice = await SignUpAsync();
        var project = await alice.CreateProjectAsync();

        var answer = await alice.Http.DeleteAsync($"/api/v1/projects/{project}/stages/nope", Ct);

        await Expect.ProblemAsync(answer, HttpStatusCode.NotFound, "not-found");
    }
}

public sealed class ProjectsOnSqlite(SqliteServer server) : ProjectsSpec<SqliteServer>(server);

public sealed class ProjectsOnPostgres(PostgresServer server) : ProjectsSpec<PostgresServer>(server);
