using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Plexus.Server.Tests.Support;

namespace Plexus.Server.Tests.Projects;

/// <summary>Workflows, their draft (ETag), versions and publishing; on each database.</summary>
public abstract class WorkflowsSpec<TServer>(TServer server) : IClassFixture<TServer> where TServer : PlexusServer
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
    public async Task Sign_up_project_workflow_draft_version_publish_and_the_matrix_shows_it()
    {
        var alice = await SignUpAsync();
        var project = await alice.CreateProjectAsync();
        var workflow = await alice.CreateWorkflowAsync(project, "greet");

        var draft = await alice.Http.GetAsync($"/api/v1/workflows/{workflow}/draft", Ct);
        var saved = await alice.PutDraftAsync(workflow, Documents.Hello, draft.Headers.ETag!.ToString());
        var version = await Expect.JsonAsync(await alice.Http.PostAsync($"/api/v1/workflows/{workflow}/versions", null, Ct), HttpStatusCode.Created);
        var published = await Expect.JsonAsync(await alice.Http.PostAsJsonAsync(
            $"/api/v1/workflows/{workflow}/publish", new { stage = "prod", version = version["version"]!.GetValue<int>() }, Ct));
        var matrix = await alice.Http.GetFromJsonAsync<JsonObject>($"/api/v1/projects/{project}/publications", Ct);

        Assert.Equal("\"1\"", draft.Headers.ETag.ToString());
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Equal("\"2\"", saved.Headers.ETag!.ToString());
        Assert.Equal(1, version["version"]!.GetValue<int>());
        Assert.Equal("prod", published["stage"]!.GetValue<string>());
        Assert.Null(published["previousVersion"]);
        Assert.Equal(["dev", "prod"], matrix!["stages"]!.AsArray().Select(s => s!.GetValue<string>()));
        var row = Assert.Single(matrix["workflows"]!.AsArray())!;
        Assert.Equal(workflow.ToString(), row["id"]!.GetValue<string>());
        Assert.Equal("greet", row["name"]!.GetValue<string>());
        Assert.Null(row["stages"]!["dev"]);
        Assert.Equal(1, row["stages"]!["prod"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_workflow_made_without_a_document_starts_with_a_manual_trigger()
    {
        var alice = await SignUpAsync();
        var (_, workflow) = await alice.ProjectWithWorkflowAsync();

        var draft = await alice.Http.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{workflow}/draft", Ct);
        var info = await alice.Http.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{workflow}", Ct);

        Assert.Equal("plexus/workflow@1", draft!["schema"]!.GetValue<string>());
        Assert.Equal("greet", draft["name"]!.GetValue<string>());
        Assert.Equal("trigger.manual", Assert.Single(draft["nodes"]!.AsArray())!["type"]!.GetValue<string>());
        Assert.True(info!["draftValid"]!.GetValue<bool>());
        Assert.Equal("flow", info["kind"]!.GetValue<string>());
        Assert.Equal("all", info["savePolicy"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_workflow_made_from_an_invalid_document_is_refused_with_paths_under_document()
    {
        var alice = await SignUpAsync();
        var project = await alice.CreateProjectAsync();

        var answer = await alice.Http.PostAsJsonAsync(
            $"/api/v1/projects/{project}/workflows", new JsonObject { ["name"] = "bad", ["document"] = JsonNode.Parse(Documents.Invalid) }, Ct);

        var problem = await Expect.ProblemAsync(answer, HttpStatusCode.UnprocessableEntity, "validation");
        Assert.Equal(["document.edges[2].to", "document.nodes[2].settings.status"], Expect.ErrorPaths(problem));
    }

    [Fact]
    public async Task A_workflow_name_is_unique_in_its_project()
    {
        var alice = await SignUpAsync();
        var (project, _) = await alice.ProjectWithWorkflowAsync();

        var answer = await alice.Http.PostAsJsonAsync($"/api/v1/projects/{project}/workflows", new { name = "greet" }, Ct);

        await Expect.ProblemAsync(answer, HttpStatusCode.Conflict, "workflow-name-taken");
    }

    [Fact]
    public async Task A_workflow_is_renamed_and_its_save_policy_set()
    {
        var alice = await SignUpAsync();
        var (project, workflow) = await alice.ProjectWithWorkflowAsync();

        var changed = await Expect.JsonAsync(await alice.Http.PatchAsJsonAsync($"/api/v1/workflows/{workflow}", new { name = "hello", savePolicy = "errors" }, Ct));
        var bad = await alice.Http.PatchAsJsonAsync($"/api/v1/workflows/{workflow}", new { savePolicy = "some" }, Ct);
        var list = await alice.Http.GetFromJsonAsync<JsonObject>($"/api/v1/projects/{project}/workflows", Ct);

        Assert.Equal("hello", changed["name"]!.GetValue<string>());
        Assert.Equal("errors", changed["savePolicy"]!.GetValue<string>());
        Assert.Equal(["savePolicy"], Expect.ErrorPaths(await Expect.ProblemAsync(bad, HttpStatusCode.UnprocessableEntity, "validation")));
        Assert.Equal("hello", Assert.Single(list!["items"]!.AsArray())!["name"]!.GetValue<string>());
        Assert.Null(list["next"]);
    }

    [Fact]
    public async Task A_stage_may_override_the_save_policy_and_null_removes_the_override()
    {
        var alice = await SignUpAsync();
        var (_, workflow) = await alice.ProjectWithWorkflowAsync();

        var set = await Expect.JsonAsync(await alice.Http.PatchAsJsonAsync($"/api/v1/workflows/{workflow}",
            new { stageSavePolicies = new Dictionary<string, string?> { ["prod"] = "errors", ["dev"] = "none" } }, Ct));
        var removed = await Expect.JsonAsync(await alice.Http.PatchAsJsonAsync($"/api/v1/workflows/{workflow}",
            new { stageSavePolicies = new Dictionary<string, string?> { ["dev"] = null } }, Ct));
        var bad = await alice.Http.PatchAsJsonAsync($"/api/v1/workflows/{workflow}",
            new { stageSavePolicies = new Dictionary<string, string?> { ["prod"] = "sometimes" } }, Ct);

        Assert.Equal("""{"prod":"errors","dev":"none"}""", set["stageSavePolicies"]!.ToJsonString());
        Assert.Equal("""{"prod":"errors"}""", removed["stageSavePolicies"]!.ToJsonString());
        Assert.Equal(["stageSavePolicies.prod"], Expect.ErrorPaths(await Expect.ProblemAsync(bad, HttpStatusCode.UnprocessableEntity, "validation")));
    }

    [Fact]
    public async Task A_deleted_workflow_is_gone_with_its_versions()
    {
        var alice = await SignUpAsync();
        var (_, workflow) = await alice.ProjectWithWorkflowAsync(Documents.Hello);
        await alice.FreezeAsync(workflow);

        var answer = await alice.Http.DeleteAsync($"/api/v1/workflows/{workflow}", Ct);

        Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        await Expect.ProblemAsync(await alice.Http.GetAsync($"/api/v1/workflows/{workflow}/versions/1", Ct), HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task Saving_the_draft_without_If_Match_is_a_428_problem()
    {
        var alice = await SignUpAsync();
        var (_, workflow) = await alice.ProjectWithWorkflowAsync();

        var answer = await alice.PutDraftAsync(workflow, Documents.Hello, ifMatch: null);

        await Expect.ProblemAsync(answer, HttpStatusCode.PreconditionRequired, "if-match-required");
    }

    [Fact]
    public async Task Saving_the_draft_with_a_stale_ETag_is_a_412_problem_and_changes_nothing()
    {
        var alice = await SignUpAsync();
        var (_, workflow) = await alice.ProjectWithWorkflowAsync();
        var etag = await alice.ETagOfDraftAsync(workflow);
        await alice.PutDraftAsync(workflow, Documents.Hello, etag);

        var answer = await alice.PutDraftAsync(workflow, Documents.Goodbye, etag);

        await Expect.ProblemAsync(answer, HttpStatusCode.PreconditionFailed, "stale-draft");
        var draft = await alice.Http.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{workflow}/draft", Ct);
        Assert.Equal("hello", draft!["nodes"]![1]!["settings"]!["value"]!.GetValue<string>());
    }

    [Fact]
    public async Task Of_two_saves_from_the_same_ETag_at_once_one_wins_and_the_other_is_stale()
    {
        var alice = await SignUpAsync();
        var (_, workflow) = await alice.ProjectWithWorkflowAsync();
        var etag = await alice.ETagOfDraftAsync(workflow);

        var answers = await Task.WhenAll(alice.PutDraftAsync(workflow, Documents.Hello, etag), alice.PutDraftAsync(workflow, Documents.Goodbye, etag));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.PreconditionFailed], answers.Select(a => a.StatusCode).Order());
        Assert.Equal("\"2\"", await alice.ETagOfDraftAsync(workflow));
    }

    [Fact]
    public async Task An_invalid_draft_is_refused_with_every_problem_at_its_path()
    {
        var alice = await SignUpAsync();
        var (_, workflow) = await alice.ProjectWithWorkflowAsync();
        var etag = await alice.ETagOfDraftAsync(workflow);

        var answer = await alice.PutDraftAsync(workflow, Documents.Invalid, etag);

        var problem = await Expect.ProblemAsync(answer, HttpStatusCode.UnprocessableEntity, "validation");
        Assert.Equal(["edges[2].to", "nodes[2].settings.status"], Expect.ErrorPaths(problem));
        Assert.Equal("must be 100..599", problem["errors"]!["nodes[2].settings.status"]![0]!.GetValue<string>());
        Assert.Equal(etag, await alice.ETagOfDraftAsync(workflow));
    }

    [Fact]
    public async Task An_unknown_property_in_the_draft_is_refused_at_its_path()
    {
        var alice = await SignUpAsync();
        var (_, workflow) = await alice.ProjectWithWorkflowAsync();

        var answer = await alice.PutDraftAsync(workflow, """{ "schema": "plexus/workflow@1", "name": "x", "nodez": [] }""", await alice.ETagOfDraftAsync(workflow));

        var problem = await Expect.ProblemAsync(answer, HttpStatusCode.UnprocessableEntity, "validation");
        Assert.Equal(["nodez"], Expect.ErrorPaths(problem));
    }

    [Fact]
    public async Task A_draft_that_is_not_JSON_is_a_400_problem_with_its_position()
    {
        var alice = await SignUpAsync();
        var (_, workflow) = await alice.ProjectWithWorkflowAsync();

        var answer = await alice.PutDraftAsync(workflow, "{ \"name\": ", await alice.ETagOfDraftAsync(workflow));

        var problem = await Expect.ProblemAsync(answer, HttpStatusCode.BadRequest, "invalid-json");
        Assert.Contains("line 1", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_draft_saved_with_allowInvalid_lists_its_problems_and_cannot_become_a_version()
    {
        var alice = await SignUpAsync();
        var (_, workflow) = await alice.ProjectWithWorkflowAsync();

        var saved = await Expect.JsonAsync(await alice.PutDraftAsync(workflow, Documents.Invalid, await alice.ETagOfDraftAsync(workflow), allowInvalid: true));
        var info = await alice.Http.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{workflow}", Ct);
        var freeze = await alice.Http.PostAsync($"/api/v1/workflows/{workflow}/versions", null, Ct);

        Assert.False(saved["valid"]!.GetValue<bool>());
        Assert.Equal(2, saved["revision"]!.GetValue<int>());
        Assert.Equal(["edges[2].to", "nodes[2].settings.status"], saved["problems"]!.AsArray().Select(p => p!["path"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.False(info!["draftValid"]!.GetValue<bool>());
        var problem = await Expect.ProblemAsync(freeze, HttpStatusCode.Conflict, "invalid-draft");
        Assert.Equal(["edges[2].to", "nodes[2].settings.status"], Expect.ErrorPaths(problem));
    }

    [Fact]
    public async Task Versions_are_numbered_frozen_and_listed_newest_first()
    {
        var alice = await SignUpAsync();
        var (_, workflow) = await alice.ProjectWithWorkflowAsync();
        var first = await alice.FreezeAsync(workflow, Documents.Hello);
        var second = await alice.FreezeAsync(workflow, Documents.Goodbye);
        await alice.PutDraftAsync(workflow, Documents.Hello, await alice.ETagOfDraftAsync(workflow));

        var one = await alice.Http.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{workflow}/versions/1", Ct);
        var two = await alice.Http.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{workflow}/versions/2", Ct);
        var list = await alice.Http.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{workflow}/versions", Ct);
        var missing = await alice.Http.GetAsync($"/api/v1/workflows/{workflow}/versions/3", Ct);

        Assert.Equal((1, 2), (first, second));
        Assert.Equal("hello", one!["nodes"]![1]!["settings"]!["value"]!.GetValue<string>());
        Assert.Equal("goodbye", two!["nodes"]![1]!["settings"]!["value"]!.GetValue<string>());
        Assert.Equal([2, 1], list!["items"]!.AsArray().Select(v => v!["version"]!.GetValue<int>()));
        Assert.Equal(alice.UserId.ToString(), list["items"]![0]!["createdBy"]!.GetValue<string>());
        await Expect.ProblemAsync(missing, HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task Versions_frozen_at_the_same_time_get_distinct_numbers()
    {
        var alice = await SignUpAsync();
        var (_, workflow) = await alice.ProjectWithWorkflowAsync(Documents.Hello);

        var answers = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => alice.Http.PostAsync($"/api/v1/workflows/{workflow}/versions", null, Ct)));

        var numbers = new List<int>();
        foreach (var answer in answers)
        {
            numbers.Add((await Expect.JsonAsync(answer, HttpStatusCode.Created))["version"]!.GetValue<int>());
        }

        Assert.Equal([1, 2, 3, 4, 5], numbers.Order());
    }

    [Fact]
    public async Task Versions_are_listed_in_pages_and_a_bad_limit_or_cursor_is_a_422()
    {
        var alice = await SignUpAsync();
        var (_, workflow) = await alice.ProjectWithWorkflowAsync(Documents.Hello);
        for (var i = 0; i < 3; i++)
        {
            await alice.FreezeAsync(workflow);
        }

        var first = await alice.Http.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{workflow}/versions?limit=2", Ct);
        var second = await alice.Http.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{workflow}/versions?limit=2&cursor={first!["next"]}", Ct);
        var limit = await alice.Http.GetAsync($"/api/v1/workflows/{workflow}/versions?limit=0", Ct);
        var cursor = await alice.Http.GetAsync($"/api/v1/workflows/{workflow}/versions?cursor=%21%21", Ct);

        var numbers = first["items"]!.AsArray().Concat(second!["items"]!.AsArray()).Select(v => v!["version"]!.GetValue<int>());
        Assert.Equal([3, 2, 1], numbers);
        Assert.Null(second["next"]);
        Assert.Equal(["limit"], Expect.ErrorPaths(await Expect.ProblemAsync(limit, HttpStatusCode.UnprocessableEntity, "validation")));
        Assert.Equal(["cursor"], Expect.ErrorPaths(await Expect.ProblemAsync(cursor, HttpStatusCode.UnprocessableEntity, "validation")));
    }

    [Fact]
    public async Task Publishing_an_older_version_rolls_back_and_unpublishing_takes_it_off()
    {
        var alice = await SignUpAsync();
        var (project, workflow) = await alice.ProjectWithWorkflowAsync();
        await alice.FreezeAsync(workflow, Documents.Hello);
        await alice.FreezeAsync(workflow, Documents.Goodbye);
        await alice.Http.PostAsJsonAsync($"/api/v1/workflows/{workflow}/publish", new { stage = "prod", version = 2 }, Ct);

        var rollback = await Expect.JsonAsync(await alice.Http.PostAsJsonAsync($"/api/v1/workflows/{workflow}/publish", new { stage = "prod", version = 1 }, Ct));
        var afterRollback = await alice.Http.GetFromJsonAsync<JsonObject>($"/api/v1/projects/{project}/publications", Ct);
        var versions = await alice.Http.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{workflow}/versions", Ct);
        var unpublished = await alice.Http.PostAsJsonAsync($"/api/v1/workflows/{workflow}/unpublish", new { stage = "prod" }, Ct);
        var afterUnpublish = await alice.Http.GetFromJsonAsync<JsonObject>($"/api/v1/projects/{project}/publications", Ct);

        Assert.Equal((1, 2), (rollback["version"]!.GetValue<int>(), rollback["previousVersion"]!.GetValue<int>()));
        Assert.Equal(1, afterRollback!["workflows"]![0]!["stages"]!["prod"]!.GetValue<int>());
        Assert.Equal(["prod"], versions!["items"]![1]!["publishedTo"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.NoContent, unpublished.StatusCode);
        Assert.Null(afterUnpublish!["workflows"]![0]!["stages"]!["prod"]);
    }

    [Fact]
    public async Task Publishing_and_unpublishing_are_audited()
    {
        var alice = await SignUpAsync();
        var (_, workflow) = await alice.ProjectWithWorkflowAsync();
        await alice.FreezeAsync(workflow, Documents.Hello);
        await alice.FreezeAsync(workflow, Documents.Goodbye);
        await alice.Http.PostAsJsonAsync($"/api/v1/workflows/{workflow}/publish", new { stage = "prod", version = 2 }, Ct);
        await alice.Http.PostAsJsonAsync($"/api/v1/workflows/{workflow}/publish", new { stage = "prod", version = 1 }, Ct);
        await alice.Http.PostAsJsonAsync($"/api/v1/workflows/{workflow}/unpublish", new { stage = "prod" }, Ct);

        var audit = await alice.Http.GetFromJsonAsync<JsonObject>($"/api/v1/orgs/{alice.OrgId}/audit", Ct);

        var entries = audit!["items"]!.AsArray()
            .Where(e => e!["target"]?.GetValue<string>() == workflow.ToString())
            .Select(e => (e!["action"]!.GetValue<string>(), e["detail"]!.GetValue<string>()));
        Assert.Equal(
            [("workflow.unpublish", "greet: prod (was v1)"), ("workflow.publish", "greet: prod → v1 (was v2)"), ("workflow.publish", "greet: prod → v2")],
            entries);
    }

    [Fact]
    public async Task Publishing_to_an_unknown_stage_is_a_404_and_an_unknown_version_a_422()
    {
        var alice = await SignUpAsync();
        var (_, workflow) = await alice.ProjectWithWorkflowAsync();
        await alice.FreezeAsync(workflow);

        var stage = await alice.Http.PostAsJsonAsync($"/api/v1/workflows/{workflow}/publish", new { stage = "nope", version = 1 }, Ct);
        var version = await alice.Http.PostAsJsonAsync($"/api/v1/workflows/{workflow}/publish", new { stage = "prod", version = 7 }, Ct);

        await Expect.ProblemAsync(stage, HttpStatusCode.NotFound, "not-found");
        Assert.Equal(["version"], Expect.ErrorPaths(await Expect.ProblemAsync(version, HttpStatusCode.UnprocessableEntity, "validation")));
    }

    [Fact]
    public async Task Unknown_workflow_ids_are_404_problems()
    {
        var alice = await SignUpAsync();
        var id = Guid.NewGuid();

        var answers = new[]
        {
            await alice.Http.GetAsync($"/api/v1/workflows/{id}", Ct),
            await alice.Http.GetAsync($"/api/v1/workflows/{id}/draft", Ct),
            await alice.PutDraftAsync(id, Documents.Hello, "\"1\""),
            await alice.Http.PostAsync($"/api/v1/workflows/{id}/versions", null, Ct),
            await alice.Http.GetAsync($"/api/v1/workflows/{id}/versions", Ct),
            await alice.Http.PostAsJsonAsync($"/api/v1/workflows/{id}/publish", new { stage = "prod", version = 1 }, Ct),
            await alice.Http.GetAsync($"/api/v1/projects/{id}/workflows", Ct),
            await alice.Http.GetAsync($"/api/v1/projects/{id}/publications", Ct),
        };

        foreach (var answer in answers)
        {
            await Expect.ProblemAsync(answer, HttpStatusCode.NotFound, "not-found");
        }
    }

    [Fact]
    public async Task A_viewer_reads_the_draft_but_cannot_save_freeze_or_publish()
    {
        var alice = await SignUpAsync();
        var (_, workflow) = await alice.ProjectWithWorkflowAsync();
        var viewer = await Member.JoinAsync(server, alice, "viewer");

        var read = await viewer.Http.GetAsync($"/api/v1/workflows/{workflow}/draft", Ct);
        var save = await viewer.PutDraftAsync(workflow, Documents.Hello, read.Headers.ETag!.ToString());
        var freeze = await viewer.Http.PostAsync($"/api/v1/workflows/{workflow}/versions", null, Ct);
        var publish = await viewer.Http.PostAsJsonAsync($"/api/v1/workflows/{workflow}/publish", new { stage = "prod", version = 1 }, Ct);

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        await Expect.ProblemAsync(save, HttpStatusCode.Forbidden, "forbidden");
        await Expect.ProblemAsync(freeze, HttpStatusCode.Forbidden, "forbidden");
        await Expect.ProblemAsync(publish, HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task An_editor_saves_freezes_and_publishes()
    {
        var alice = await SignUpAsync();
        var (_, workflow) = await alice.ProjectWithWorkflowAsync();
        var editor = await Member.JoinAsync(server, alice, "editor");

        var version = await editor.FreezeAsync(workflow, Documents.Hello);
        var publish = await editor.Http.PostAsJsonAsync($"/api/v1/workflows/{workflow}/publish", new { stage = "prod", version }, Ct);

        Assert.Equal(HttpStatusCode.OK, publish.StatusCode);
    }

    [Fact]
    public async Task The_API_reference_names_the_problems_of_saving_a_draft()
    {
        var alice = await SignUpAsync();

        var document = await alice.Http.GetFromJsonAsync<JsonObject>("/openapi/v1.json", Ct);

        var save = document!["paths"]!["/api/v1/workflows/{workflowId}/draft"]!["put"]!;
        Assert.Equal(["200", "400", "401", "403", "404", "412", "413", "422", "428"], save["responses"]!.AsObject().Select(r => r.Key).Order(StringComparer.Ordinal));
        Assert.Contains(save["parameters"]!.AsArray(), p => p!["name"]!.GetValue<string>() == "If-Match");
    }

    [Fact]
    public async Task The_draft_is_answered_as_stored_json()
    {
        var alice = await SignUpAsync();
        var (_, workflow) = await alice.ProjectWithWorkflowAsync(Documents.Hello);

        var answer = await alice.Http.GetAsync($"/api/v1/workflows/{workflow}/draft", Ct);

        Assert.Equal("application/json", answer.Content.Headers.ContentType!.MediaType);
        var text = Encoding.UTF8.GetString(await answer.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal("done", JsonNode.Parse(text)!["nodes"]![1]!["id"]!.GetValue<string>());
    }
}

public sealed class WorkflowsOnSqlite(SqliteServer server) : WorkflowsSpec<SqliteServer>(server);

public sealed class WorkflowsOnPostgres(PostgresServer server) : WorkflowsSpec<PostgresServer>(server);
