using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Plexus.Cli;
using Plexus.Server.Tests.Projects;
using Plexus.Server.Tests.Support;

namespace Plexus.Server.Tests.Cli;

/// <summary>
/// <c>plexus push</c> and <c>plexus runs</c> in-process against the real server on Kestrel (a real port on 127.0.0.1);
/// on each database.
/// </summary>
public abstract class PushSpec<TServer>(TServer server) : IClassFixture<TServer> where TServer : PlexusServer
{
    private static readonly object Started = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Example(string name) => Path.Combine(AppContext.BaseDirectory, "examples", name);

    /// <summary>The server's URL, starting it on Kestrel the first time (one fixture per test class).</summary>
    private string Url()
    {
        if (server.SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }

        lock (Started)
        {
            if (server.ClientOptions.BaseAddress.Port == 80 && server.ClientOptions.BaseAddress.Host == "localhost")
            {
                server.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
                server.StartServer();
            }
        }

        return server.ClientOptions.BaseAddress.ToString().TrimEnd('/');
    }

    /// <summary>A user with a project and an API key that may read and write workflows.</summary>
    private async Task<(string Url, Member Owner, string Slug, string Key)> DeployerAsync()
    {
        var url = Url();
        var owner = await Member.SignUpAsync(server);
        var slug = Member.NewSlug();
        await owner.CreateProjectAsync(slug);
        var key = await Support.Accounts.CreateApiKeyAsync(owner.Http, owner.OrgId, "workflows:read", "workflows:write");
        return (url, owner, slug, key);
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> PlexusAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await Plexus.Cli.Cli.RunAsync(args, stdout, stderr, Ct);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private static void Exits((int Exit, string Stdout, string Stderr) run, int exit) =>
        Assert.True(run.Exit == exit, $"expected exit {exit}, got {run.Exit}\n--- stdout\n{run.Stdout}\n--- stderr\n{run.Stderr}");

    private static void NoStackTrace((int Exit, string Stdout, string Stderr) run)
    {
        Assert.DoesNotContain("   at ", run.Stdout + run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.Stdout + run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Push_creates_the_workflow_publishes_version_1_and_prints_its_route_then_a_second_push_makes_version_2()
    {
        var (url, owner, slug, key) = await DeployerAsync();

        var first = await PlexusAsync("push", Example("greet.json"), "--server", url, "--project", slug, "--key", key);
        var second = await PlexusAsync("push", Example("greet.json"), "--server", url + "/", "--project", slug, "--key", key, "--json");

        Exits(first, ExitCodes.Ok);
        Assert.Contains("version 1 published to", first.Stdout, StringComparison.Ordinal);
        Assert.Contains("created", first.Stdout, StringComparison.Ordinal);
        Assert.Contains($"POST   {url}/p/{slug}/prod/hook/{{id}}", first.Stdout, StringComparison.Ordinal);
        Exits(second, ExitCodes.Ok);
        var json = JsonNode.Parse(second.Stdout)!.AsObject();
        Assert.Equal(2, json["version"]!.GetValue<int>());
        Assert.Equal("prod", json["stage"]!.GetValue<string>());
        var route = json["routes"]!.AsArray().Single()!;
        Assert.Equal("POST", route["method"]!.GetValue<string>());
        Assert.Equal($"{url}/p/{slug}/prod/hook/{{id}}", route["url"]!.GetValue<string>());

        var workflowId = json["workflowId"]!.GetValue<string>();
        Assert.Contains(workflowId, first.Stdout, StringComparison.Ordinal);
        var project = (await Expect.JsonAsync(await owner.Http.GetAsync($"/api/v1/orgs/{owner.OrgId}/projects", Ct)))["items"]!.AsArray()
            .Single(p => p!["slug"]!.GetValue<string>() == slug)!;
        var workflows = await Expect.JsonAsync(await owner.Http.GetAsync($"/api/v1/projects/{project["id"]!.GetValue<string>()}/workflows", Ct));
        Assert.Equal([workflowId], workflows["items"]!.AsArray().Select(w => w!["id"]!.GetValue<string>()));
        var publications = await Expect.JsonAsync(await owner.Http.GetAsync($"/api/v1/projects/{project["id"]!.GetValue<string>()}/publications", Ct));
        Assert.Equal(2, publications["workflows"]![0]!["stages"]!["prod"]!.GetValue<int>());
    }

    [Fact]
    public async Task Push_to_another_stage_publishes_there()
    {
        var (url, _, slug, key) = await DeployerAsync();

        var run = await PlexusAsync("push", Example("greet.json"), "--server", url, "--project", slug, "--key", key, "--stage", "dev", "--json");

        Exits(run, ExitCodes.Ok);
        Assert.Equal($"{url}/p/{slug}/dev/hook/{{id}}", JsonNode.Parse(run.Stdout)!["routes"]![0]!["url"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_invalid_file_is_refused_before_the_server_is_asked()
    {
        var (url, _, slug, key) = await DeployerAsync();
        var file = Path.Combine(Directory.CreateTempSubdirectory("plexus-push-").FullName, "bad.json");
        await File.WriteAllTextAsync(file, """{ "schema": "plexus/workflow@1", "name": "bad", "nodes": [ { "id": "a", "type": "no.such" } ], "edges": [] }""", Ct);

        var run = await PlexusAsync("push", file, "--server", url, "--project", slug, "--key", key);
        var missing = await PlexusAsync("push", file + ".missing", "--server", url, "--project", slug, "--key", key);

        Exits(run, ExitCodes.BadInput);
        Assert.Contains("is not a valid workflow", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("nodes[0].type", run.Stderr, StringComparison.Ordinal);
        Exits(missing, ExitCodes.BadInput);
        Assert.Contains("file not found", missing.Stderr, StringComparison.Ordinal);
        Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
    }

    [Fact]
    public async Task A_wrong_key_answers_a_clear_401_message_and_exit_2()
    {
        var (url, _, slug, _) = await DeployerAsync();

        var run = await PlexusAsync("push", Example("greet.json"), "--server", url, "--project", slug, "--key", "plx_wrong_key");

        Exits(run, ExitCodes.BadInput);
        Assert.StartsWith("plexus: ", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("(HTTP 401)", run.Stderr, StringComparison.Ordinal);
        NoStackTrace(run);
    }

    [Fact]
    public async Task A_key_without_write_scope_is_refused_with_exit_2()
    {
        var (url, owner, slug, _) = await DeployerAsync();
        var readOnly = await Support.Accounts.CreateApiKeyAsync(owner.Http, owner.OrgId, "workflows:read");

        var run = await PlexusAsync("push", Example("greet.json"), "--server", url, "--project", slug, "--key", readOnly);

        Exits(run, ExitCodes.BadInput);
        Assert.Contains("(HTTP 403)", run.Stderr, StringComparison.Ordinal);
        NoStackTrace(run);
    }

    [Fact]
    public async Task An_unknown_project_or_stage_is_exit_2()
    {
        var (url, _, slug, key) = await DeployerAsync();

        var project = await PlexusAsync("push", Example("greet.json"), "--server", url, "--project", "no-such-project", "--key", key);
        var stage = await PlexusAsync("push", Example("greet.json"), "--server", url, "--project", slug, "--key", key, "--stage", "nowhere");

        Exits(project, ExitCodes.BadInput);
        Assert.Equal("plexus: no project 'no-such-project': the key's organisation (Test User) has no project with that slug",
            project.Stderr.TrimEnd());
        Exits(stage, ExitCodes.BadInput);
        Assert.Contains("(HTTP 404)", stage.Stderr, StringComparison.Ordinal);
        NoStackTrace(stage);
    }

    [Fact]
    public async Task Missing_key_or_bad_server_url_is_exit_2()
    {
        var (url, _, slug, _) = await DeployerAsync();
        var saved = Environment.GetEnvironmentVariable("PLEXUS_API_KEY");
        Environment.SetEnvironmentVariable("PLEXUS_API_KEY", null);
        try
        {
            var noKey = await PlexusAsync("push", Example("greet.json"), "--server", url, "--project", slug);
            var badUrl = await PlexusAsync("push", Example("greet.json"), "--server", "localhost:5080", "--project", slug, "--key", "plx_x");

            Exits(noKey, ExitCodes.BadInput);
            Assert.Contains("PLEXUS_API_KEY", noKey.Stderr, StringComparison.Ordinal);
            Exits(badUrl, ExitCodes.BadInput);
            Assert.Contains("--server", badUrl.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("PLEXUS_API_KEY", saved);
        }
    }

    [Fact]
    public async Task A_server_that_is_not_running_is_exit_1_with_one_line()
    {
        Url();
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
        }

        var run = await PlexusAsync("push", Example("greet.json"), "--server", $"http://127.0.0.1:{port}", "--project", "shop", "--key", "plx_x");
        var runs = await PlexusAsync("runs", "ls", "--server", $"http://127.0.0.1:{port}", "--key", "plx_x");

        Exits(run, ExitCodes.RunFailed);
        Assert.Single(run.Stderr.TrimEnd().Split('\n'));
        Assert.StartsWith($"plexus: cannot reach http://127.0.0.1:{port}", run.Stderr, StringComparison.Ordinal);
        NoStackTrace(run);
        Exits(runs, ExitCodes.RunFailed);
        Assert.Single(runs.Stderr.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task Runs_ls_and_show_list_and_show_an_execution_made_over_http()
    {
        var (url, owner, slug, key) = await DeployerAsync();
        var pushed = await PlexusAsync("push", Example("hello.json"), "--server", url, "--project", slug, "--key", key, "--json");
        Exits(pushed, ExitCodes.Ok);
        var workflowId = JsonNode.Parse(pushed.Stdout)!["workflowId"]!.GetValue<string>();
        var ran = await Expect.JsonAsync(await owner.Http.PostAsJsonAsync($"/api/v1/workflows/{workflowId}/runs?wait=true",
            new { stage = "prod", input = new { name = "Ada" } }, Ct));
        var id = ran["id"]!.GetValue<string>();

        var ls = await PlexusAsync("runs", "ls", "--server", url, "--key", key);
        var filtered = await PlexusAsync("runs", "ls", "--server", url, "--key", key, "--workflow", workflowId, "--status", "succeeded", "--limit", "5", "--json");
        var none = await PlexusAsync("runs", "ls", "--server", url, "--key", key, "--status", "failed");
        var show = await PlexusAsync("runs", "show", id, "--server", url, "--key", key);
        var showJson = await PlexusAsync("runs", "show", id, "--server", url, "--key", key, "--json");
        var unknown = await PlexusAsync("runs", "show", Guid.NewGuid().ToString(), "--server", url, "--key", key);
        var badStatus = await PlexusAsync("runs", "ls", "--server", url, "--key", key, "--status", "bogus");

        Exits(ls, ExitCodes.Ok);
        Assert.Contains(id, ls.Stdout, StringComparison.Ordinal);
        Assert.Contains("hello v1", ls.Stdout, StringComparison.Ordinal);
        Assert.Contains("succeeded", ls.Stdout, StringComparison.Ordinal);
        Assert.Contains("prod", ls.Stdout, StringComparison.Ordinal);
        Exits(filtered, ExitCodes.Ok);
        Assert.Equal([id], JsonNode.Parse(filtered.Stdout)!["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()));
        Exits(none, ExitCodes.Ok);
        Assert.Contains("no executions", none.Stdout, StringComparison.Ordinal);
        Exits(show, ExitCodes.Ok);
        Assert.Contains(id, show.Stdout, StringComparison.Ordinal);
        Assert.Contains("Hello, Ada!", show.Stdout, StringComparison.Ordinal);
        foreach (var node in new[] { "start", "greet", "done", "trigger.manual", "data.set", "flow.return" })
        {
            Assert.Contains(node, show.Stdout, StringComparison.Ordinal);
        }

        Exits(showJson, ExitCodes.Ok);
        var execution = JsonNode.Parse(showJson.Stdout)!;
        Assert.Equal("succeeded", execution["status"]!.GetValue<string>());
        Assert.Equal(3, execution["nodes"]!.AsArray().Count);
        Exits(unknown, ExitCodes.BadInput);
        Assert.Contains("(HTTP 404)", unknown.Stderr, StringComparison.Ordinal);
        Exits(badStatus, ExitCodes.BadInput);
        Assert.Contains("(HTTP 422)", badStatus.Stderr, StringComparison.Ordinal);
        Assert.Contains("\n  status: ", badStatus.Stderr, StringComparison.Ordinal); // each problem by path, on its own line
        NoStackTrace(badStatus);
    }

    [Fact]
    public async Task Schedules_ls_lists_a_pushed_schedule_with_its_next_fire_time()
    {
        var (url, _, slug, key) = await DeployerAsync();
        var empty = await PlexusAsync("schedules", "ls", "--server", url, "--project", slug, "--key", key);
        Exits(await PlexusAsync("push", Example("nightly-report.json"), "--server", url, "--project", slug, "--key", key), ExitCodes.Ok);

        var ls = await PlexusAsync("schedules", "ls", "--server", url, "--project", slug, "--key", key);
        var json = await PlexusAsync("schedules", "ls", "--server", url, "--project", slug, "--key", key, "--stage", "prod", "--json");
        var onDev = await PlexusAsync("schedules", "ls", "--server", url, "--project", slug, "--key", key, "--stage", "dev", "--json");
        var unknown = await PlexusAsync("schedules", "ls", "--server", url, "--project", "no-such-project", "--key", key);

        Exits(empty, ExitCodes.Ok);
        Assert.Contains("no schedules", empty.Stdout, StringComparison.Ordinal);
        Exits(ls, ExitCodes.Ok);
        foreach (var text in new[] { "nightly-report v1", "prod", "nightly", "0 2 * * * (Europe/Amsterdam)", "skip/runOnce" })
        {
            Assert.Contains(text, ls.Stdout, StringComparison.Ordinal);
        }

        Exits(json, ExitCodes.Ok);
        var listed = Assert.Single(JsonNode.Parse(json.Stdout)!["items"]!.AsArray())!;
        Assert.Contains(listed["nextFireAt"]!.GetValue<string>()[..10], ls.Stdout, StringComparison.Ordinal);
        Exits(onDev, ExitCodes.Ok);
        Assert.Empty(JsonNode.Parse(onDev.Stdout)!["items"]!.AsArray());
        Exits(unknown, ExitCodes.BadInput);
        NoStackTrace(unknown);
    }

    [Fact]
    public async Task Schedules_pause_resume_and_run_steer_a_schedule_by_workflow_and_node()
    {
        var (url, owner, slug, _) = await DeployerAsync();
        var key = await Support.Accounts.CreateApiKeyAsync(owner.Http, owner.OrgId, "workflows:read", "workflows:write", "executions:run");
        var pushed = await PlexusAsync("push", Example("nightly-report.json"), "--server", url, "--project", slug, "--key", key, "--json");
        Exits(pushed, ExitCodes.Ok);
        var workflowId = Guid.Parse(JsonNode.Parse(pushed.Stdout)!["workflowId"]!.GetValue<string>());
        string[] Named(string action) => ["schedules", action, "--server", url, "--project", slug, "--key", key, "--workflow", "nightly-report", "--node", "nightly"];

        var pause = await PlexusAsync(Named("pause"));
        var listed = await PlexusAsync("schedules", "ls", "--server", url, "--project", slug, "--key", key);
        var resume = await PlexusAsync(Named("resume"));
        var run = await PlexusAsync(Named("run"));
        var unknownWorkflow = await PlexusAsync([.. Named("pause")[..^4], "--workflow", "nope", "--node", "nightly"]);
        var unknownNode = await PlexusAsync([.. Named("pause")[..^2], "--node", "nope"]);

        Exits(pause, ExitCodes.Ok);
        Assert.Equal("paused nightly-report/nightly on prod", pause.Stdout.Trim());
        Assert.Contains("paused", listed.Stdout, StringComparison.Ordinal);
        Exits(resume, ExitCodes.Ok);
        Assert.StartsWith("resumed nightly-report/nightly on prod; next tick ", resume.Stdout, StringComparison.Ordinal);
        Exits(run, ExitCodes.Ok);
        var id = run.Stdout.Trim().Split(' ')[^1];
        Assert.True(Guid.TryParse(id, out _), run.Stdout);
        var ran = await Schedules.ScheduleRuns.UntilAsync(owner, workflowId, r => r.Any(e => e.Id == Guid.Parse(id) && e.Status != "running"));
        Assert.Equal("succeeded", Assert.Single(ran, e => e.Id == Guid.Parse(id)).Status);
        Exits(unknownWorkflow, ExitCodes.BadInput);
        Assert.Contains("no workflow 'nope'", unknownWorkflow.Stderr, StringComparison.Ordinal);
        Exits(unknownNode, ExitCodes.BadInput);
        Assert.Contains("(HTTP 404)", unknownNode.Stderr, StringComparison.Ordinal);
    }
}

public sealed class PushOnSqlite(SqliteServer server) : PushSpec<SqliteServer>(server);

public sealed class PushOnPostgres(PostgresServer server) : PushSpec<PostgresServer>(server);
