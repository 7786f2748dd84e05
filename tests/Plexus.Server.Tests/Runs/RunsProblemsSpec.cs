using System.Net;
using System.Net.Http.Json;
using Plexus.Server.Tests.Projects;
using Plexus.Server.Tests.Support;

namespace Plexus.Server.Tests.Runs;

/// <summary>What running and the execution endpoints refuse, and how; on each database.</summary>
public abstract class RunsProblemsSpec<TServer>(TServer server) : IClassFixture<TServer> where TServer : PlexusServer
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
    public async Task Another_organisations_execution_is_not_found_for_its_users_and_keys()
    {
        var alice = await SignUpAsync();
        var bob = await Member.SignUpAsync(server);
        var id = (await alice.RanAsync(await alice.WorkflowAsync(Flows.Approval)))["id"].Text();
        var bobsKey = server.ClientWithApiKey(await Support.Accounts.CreateApiKeyAsync(bob.Http, bob.OrgId));

        foreach (var client in new[] { bob.Http, bobsKey })
        {
            await Expect.ProblemAsync(await client.GetAsync($"/api/v1/executions/{id}", Ct), HttpStatusCode.NotFound, "not-found");
            await Expect.ProblemAsync(await client.PostAsync($"/api/v1/executions/{id}/cancel", null, Ct), HttpStatusCode.NotFound, "not-found");
            await Expect.ProblemAsync(await client.PostAsJsonAsync($"/api/v1/executions/{id}/resume", new { node = "approval", payload = 1 }, Ct),
                HttpStatusCode.NotFound, "not-found");
            await Expect.ProblemAsync(await client.DeleteAsync($"/api/v1/executions/{id}", Ct), HttpStatusCode.NotFound, "not-found");
            Assert.Empty((await Expect.JsonAsync(await client.GetAsync("/api/v1/executions", Ct)))["items"]!.AsArray());
        }

        Assert.Equal("waiting", (await alice.ExecutionAsync(id))["status"].Text());
    }

    [Fact]
    public async Task Another_organisations_workflow_cannot_be_run_or_listed()
    {
        var alice = await SignUpAsync();
        var bob = await Member.SignUpAsync(server);
        var workflow = await alice.WorkflowAsync(Flows.Double);

        await Expect.ProblemAsync(await bob.RunAsync(workflow), HttpStatusCode.NotFound, "not-found");
        await Expect.ProblemAsync(await bob.Http.GetAsync($"/api/v1/executions?workflowId={workflow}", Ct), HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task A_viewer_reads_executions_but_may_not_run_cancel_resume_or_delete()
    {
        var alice = await SignUpAsync();
        var viewer = await Member.JoinAsync(server, alice, "viewer");
        var workflow = await alice.WorkflowAsync(Flows.Approval);
        var id = (await alice.RanAsync(workflow))["id"].Text();

        await Expect.ProblemAsync(await viewer.RunAsync(workflow), HttpStatusCode.Forbidden, "forbidden");
        await Expect.ProblemAsync(await viewer.Http.PostAsync($"/api/v1/executions/{id}/cancel", null, Ct), HttpStatusCode.Forbidden, "forbidden");
        await Expect.ProblemAsync(await viewer.Http.PostAsJsonAsync($"/api/v1/executions/{id}/resume", new { node = "approval", payload = 1 }, Ct),
            HttpStatusCode.Forbidden, "forbidden");
        await Expect.ProblemAsync(await viewer.Http.DeleteAsync($"/api/v1/executions/{id}", Ct), HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal("waiting", (await viewer.ExecutionAsync(id))["status"].Text());
    }

    [Fact]
    public async Task An_api_key_needs_the_executions_run_scope_to_run_and_workflows_read_to_list()
    {
        var alice = await SignUpAsync();
        var workflow = await alice.WorkflowAsync(Flows.Double);
        var reader = server.ClientWithApiKey(await Support.Accounts.CreateApiKeyAsync(alice.Http, alice.OrgId, "workflows:read"));
        var runner = server.ClientWithApiKey(await Support.Accounts.CreateApiKeyAsync(alice.Http, alice.OrgId, "executions:run"));

        await Expect.ProblemAsync(await reader.PostAsJsonAsync($"/api/v1/workflows/{workflow}/runs?wait=true", new { }, Ct), HttpStatusCode.Forbidden, "forbidden");
        var ran = await Expect.JsonAsync(await runner.PostAsJsonAsync($"/api/v1/workflows/{workflow}/runs?wait=true", new { input = new { n = 1 } }, Ct));
        await Expect.ProblemAsync(await runner.GetAsync("/api/v1/executions", Ct), HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal("succeeded", ran["status"].Text());
    }

    [Fact]
    public async Task Bad_list_queries_are_refused_at_their_parameter()
    {
        var alice = await SignUpAsync();

        foreach (var (query, path) in new[]
                 {
                     ("limit=501", "limit"), ("limit=0", "limit"), ("limit=many", "limit"), ("cursor=%%%", "cursor"), ("cursor=bm90LWEtY3Vyc29y", "cursor"),
                     ("status=done", "status"), ("from=yesterday", "from"), ("workflowId=42", "workflowId"),
                 })
        {
            var problem = await Expect.ProblemAsync(await alice.Http.GetAsync("/api/v1/executions?" + query, Ct), HttpStatusCode.UnprocessableEntity, "validation");
            Assert.Equal([path], Expect.ErrorPaths(problem));
        }
    }

    [Fact]
    public async Task A_stage_with_nothing_published_is_a_conflict()
    {
        var alice = await SignUpAsync();
        var workflow = await alice.WorkflowAsync(Flows.Double);

        var problem = await Expect.ProblemAsync(await alice.RunAsync(workflow, new { stage = "prod" }), HttpStatusCode.Conflict, "not-published");

        Assert.Contains("prod", problem["detail"].Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_stage_is_not_found_and_an_unknown_version_is_invalid()
    {
        var alice = await SignUpAsync();
        var workflow = await alice.WorkflowAsync(Flows.Double);

        await Expect.ProblemAsync(await alice.RunAsync(workflow, new { stage = "qa" }), HttpStatusCode.NotFound, "not-found");
        var version = await Expect.ProblemAsync(await alice.RunAsync(workflow, new { version = 7 }), HttpStatusCode.UnprocessableEntity, "validation");
        Assert.Equal(["version"], Expect.ErrorPaths(version));
    }

    [Fact]
    public async Task An_invalid_draft_is_refused_with_its_problems_by_path()
    {
        var alice = await SignUpAsync();
        var workflow = await alice.WorkflowAsync(Flows.Double);
        (await alice.PutDraftAsync(workflow, Documents.Invalid, await alice.ETagOfDraftAsync(workflow), allowInvalid: true)).Is(HttpStatusCode.OK);

        var problem = await Expect.ProblemAsync(await alice.RunAsync(workflow), HttpStatusCode.UnprocessableEntity, "validation");

        Assert.Equal(["edges[2].to", "nodes[2].settings.status"], Expect.ErrorPaths(problem));
    }

    [Fact]
    public async Task A_run_from_a_node_that_does_not_exist_or_without_a_node_is_refused()
    {
        var alice = await SignUpAsync();
        var workflow = await alice.WorkflowAsync(Flows.Double);
        var earlier = (await alice.RanAsync(workflow, new { input = new { n = 1 } }))["id"].Text();

        var ghost = await Expect.ProblemAsync(await alice.RunAsync(workflow, new { fromNode = "ghost" }), HttpStatusCode.UnprocessableEntity, "validation");
        var alone = await Expect.ProblemAsync(await alice.RunAsync(workflow, new { fromExecution = earlier }), HttpStatusCode.UnprocessableEntity, "validation");
        var other = await Expect.ProblemAsync(await alice.RunAsync(workflow, new { fromNode = "done", fromExecution = Guid.NewGuid() }),
            HttpStatusCode.UnprocessableEntity, "validation");

        Assert.Equal(["fromNode"], Expect.ErrorPaths(ghost));
        Assert.Equal(["fromNode"], Expect.ErrorPaths(alone));
        Assert.Equal(["fromExecution"], Expect.ErrorPaths(other));
    }

    [Fact]
    public async Task A_timeout_out_of_range_is_refused()
    {
        var alice = await SignUpAsync();
        var workflow = await alice.WorkflowAsync(Flows.Double);

        var problem = await Expect.ProblemAsync(await alice.RunAsync(workflow, query: "&timeoutMs=300001"), HttpStatusCode.UnprocessableEntity, "validation");

        Assert.Equal(["timeoutMs"], Expect.ErrorPaths(problem));
    }

    [Fact]
    public async Task An_unknown_execution_is_not_found()
    {
        var alice = await SignUpAsync();

        await Expect.ProblemAsync(await alice.Http.GetAsync($"/api/v1/executions/{Guid.NewGuid()}", Ct), HttpStatusCode.NotFound, "not-found");
        await Expect.ProblemAsync(await alice.Http.PostAsync($"/api/v1/executions/{Guid.NewGuid()}/cancel", null, Ct), HttpStatusCode.NotFound, "not-found");
    }
}

public sealed class RunsProblemsOnSqlite(SqliteServer server) : RunsProblemsSpec<SqliteServer>(server);

public sealed class RunsProblemsOnPostgres(PostgresServer server) : RunsProblemsSpec<PostgresServer>(server);
