using System.Net;
using System.Net.Http.Json;
using Plexus.Server.Tests.Support;

namespace Plexus.Server.Tests.Projects;

/// <summary>
/// Another organisation's projects, workflows, stages, secrets and variables answer exactly like ids that do not
/// exist: 404, never 403; and nothing of them changes. On each database.
/// </summary>
public abstract class TenantIsolationSpec<TServer>(TServer server) : IClassFixture<TServer> where TServer : PlexusServer
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(Member Alice, Member Bob)> TwoOrganisationsAsync()
    {
        if (server.SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }

        return (await Member.SignUpAsync(server), await Member.SignUpAsync(server));
    }

    [Fact]
    public async Task Another_organisations_project_workflow_and_secrets_are_404_for_every_call()
    {
        var (alice, bob) = await TwoOrganisationsAsync();
        var (project, workflow) = await alice.ProjectWithWorkflowAsync(Documents.Hello);
        var version = await alice.FreezeAsync(workflow);
        await alice.Http.PutAsJsonAsync($"/api/v1/projects/{project}/stages/prod/secrets/TOKEN", new { value = "s3cret" }, Ct);
        var etag = await alice.ETagOfDraftAsync(workflow);
        var http = bob.Http;

        var answers = new (string Call, HttpResponseMessage Answer)[]
        {
            ("list projects", await http.GetAsync($"/api/v1/orgs/{alice.OrgId}/projects", Ct)),
            ("create project", await http.PostAsJsonAsync($"/api/v1/orgs/{alice.OrgId}/projects", new { name = "x", slug = Member.NewSlug() }, Ct)),
            ("get project", await http.GetAsync($"/api/v1/projects/{project}", Ct)),
            ("patch project", await http.PatchAsJsonAsync($"/api/v1/projects/{project}", new { name = "mine" }, Ct)),
            ("delete project", await http.DeleteAsync($"/api/v1/projects/{project}", Ct)),
            ("list stages", await http.GetAsync($"/api/v1/projects/{project}/stages", Ct)),
            ("add stage", await http.PostAsJsonAsync($"/api/v1/projects/{project}/stages", new { name = "qa" }, Ct)),
            ("delete stage", await http.DeleteAsync($"/api/v1/projects/{project}/stages/prod", Ct)),
            ("list workflows", await http.GetAsync($"/api/v1/projects/{project}/workflows", Ct)),
            ("create workflow", await http.PostAsJsonAsync($"/api/v1/projects/{project}/workflows", new { name = "x" }, Ct)),
            ("get workflow", await http.GetAsync($"/api/v1/workflows/{workflow}", Ct)),
            ("patch workflow", await http.PatchAsJsonAsync($"/api/v1/workflows/{workflow}", new { name = "mine" }, Ct)),
            ("get draft", await http.GetAsync($"/api/v1/workflows/{workflow}/draft", Ct)),
            ("put draft", await bob.PutDraftAsync(workflow, Documents.Goodbye, etag)),
            ("freeze", await http.PostAsync($"/api/v1/workflows/{workflow}/versions", null, Ct)),
            ("list versions", await http.GetAsync($"/api/v1/workflows/{workflow}/versions", Ct)),
            ("get version", await http.GetAsync($"/api/v1/workflows/{workflow}/versions/{version}", Ct)),
            ("publish", await http.PostAsJsonAsync($"/api/v1/workflows/{workflow}/publish", new { stage = "prod", version }, Ct)),
            ("unpublish", await http.PostAsJsonAsync($"/api/v1/workflows/{workflow}/unpublish", new { stage = "prod" }, Ct)),
            ("publications", await http.GetAsync($"/api/v1/projects/{project}/publications", Ct)),
            ("list secrets", await http.GetAsync($"/api/v1/projects/{project}/stages/prod/secrets", Ct)),
            ("set secret", await http.PutAsJsonAsync($"/api/v1/projects/{project}/stages/prod/secrets/TOKEN", new { value = "mine" }, Ct)),
            ("delete secret", await http.DeleteAsync($"/api/v1/projects/{project}/stages/prod/secrets/TOKEN", Ct)),
            ("list env", await http.GetAsync($"/api/v1/projects/{project}/stages/prod/env", Ct)),
            ("set env", await http.PutAsJsonAsync($"/api/v1/projects/{project}/stages/prod/env/REGION", new { value = "x" }, Ct)),
            ("delete env", await http.DeleteAsync($"/api/v1/projects/{project}/stages/prod/env/REGION", Ct)),
            ("delete workflow", await http.DeleteAsync($"/api/v1/workflows/{workflow}", Ct)),
        };

        Assert.All(answers, a => Assert.True(a.Answer.StatusCode == HttpStatusCode.NotFound, $"{a.Call}: {(int)a.Answer.StatusCode}"));
        foreach (var (_, answer) in answers)
        {
            await Expect.ProblemAsync(answer, HttpStatusCode.NotFound, "not-found");
        }

        var still = await alice.Http.GetAsync($"/api/v1/workflows/{workflow}/draft", Ct);
        Assert.Equal(etag, still.Headers.ETag!.ToString());
        var secrets = await alice.Http.GetStringAsync($"/api/v1/projects/{project}/stages/prod/secrets", Ct);
        Assert.Contains("TOKEN", secrets, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_organisations_API_key_gets_404_and_a_key_without_the_scope_403()
    {
        var (alice, bob) = await TwoOrganisationsAsync();
        var (project, workflow) = await alice.ProjectWithWorkflowAsync();
        var bobsKey = server.ClientWithApiKey(await Support.Accounts.CreateApiKeyAsync(bob.Http, bob.OrgId));
        var readOnly = server.ClientWithToken(await Support.Accounts.CreateApiKeyAsync(alice.Http, alice.OrgId, "workflows:read"));

        var theirs = await bobsKey.GetAsync($"/api/v1/projects/{project}", Ct);
        var theirWorkflow = await bobsKey.GetAsync($"/api/v1/workflows/{workflow}/draft", Ct);
        var read = await readOnly.GetAsync($"/api/v1/workflows/{workflow}/draft", Ct);
        var write = await readOnly.PostAsJsonAsync($"/api/v1/projects/{project}/stages", new { name = "qa" }, Ct);

        await Expect.ProblemAsync(theirs, HttpStatusCode.NotFound, "not-found");
        await Expect.ProblemAsync(theirWorkflow, HttpStatusCode.NotFound, "not-found");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        await Expect.ProblemAsync(write, HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Another_organisations_project_answers_the_same_problem_as_a_missing_one()
    {
        var (alice, bob) = await TwoOrganisationsAsync();
        var project = await alice.CreateProjectAsync();

        var theirs = await Expect.ProblemAsync(await bob.Http.GetAsync($"/api/v1/projects/{project}", Ct), HttpStatusCode.NotFound, "not-found");
        var missing = await Expect.ProblemAsync(await bob.Http.GetAsync($"/api/v1/projects/{Guid.NewGuid()}", Ct), HttpStatusCode.NotFound, "not-found");

        Assert.Equal(missing["title"]!.GetValue<string>(), theirs["title"]!.GetValue<string>());
        Assert.Equal(missing["detail"]?.ToString(), theirs["detail"]?.ToString());
    }
}

public sealed class TenantIsolationOnSqlite(SqliteServer server) : TenantIsolationSpec<SqliteServer>(server);

public sealed class TenantIsolationOnPostgres(PostgresServer server) : TenantIsolationSpec<PostgresServer>(server);
