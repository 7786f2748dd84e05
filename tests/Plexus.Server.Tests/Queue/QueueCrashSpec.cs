using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Plexus.Server.Tests.Projects;
using Plexus.Server.Tests.Runs;
using Plexus.Server.Tests.Support;

namespace Plexus.Server.Tests.Queue;

/// <summary>
/// Real server processes on one PostgreSQL: a replica killed with SIGKILL in the middle of its runs, whose runs another
/// replica finishes once their leases expire; a restart with waiting runs, which resume by timer and by token; a
/// SIGTERM, which gives runs back to the queue at once rather than cancelling them.
/// </summary>
public sealed class QueueCrashOnPostgres : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private string? _connectionString;
    private string? _skip;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => (_connectionString, _skip) = await PostgresDatabases.CreateAsync();

    public async ValueTask DisposeAsync()
    {
        if (_connectionString is not null)
        {
            await PostgresDatabases.DropAsync(_connectionString);
        }
    }

    private Dictionary<string, string> Settings(params (string Key, string Value)[] more)
    {
        if (_skip is { } reason)
        {
            Assert.Skip(reason);
        }

        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Database:Provider"] = "postgres",
            ["Database:ConnectionString"] = _connectionString!,
        };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    [Fact]
    public async Task Runs_of_a_replica_killed_mid_run_are_finished_by_another_once_their_leases_expire_and_none_is_lost_or_doubled()
    {
        var settings = Settings(("Queue:LeaseDuration", "00:00:03"), ("Queue:HeartbeatInterval", "00:00:01"));
        var a = await ServerProcess.StartAsync(settings, Ct);
        await using var _ = a;
        var (client, orgId) = await SignUpAsync(a);
        var workflow = await WorkflowAsync(client, Pause(4000));
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add(await QueueAsync(client, workflow));
        }

        foreach (var id in ids)
        {
            await UntilAsync(client, id, status => status == "running");
        }

        await a.KillAsync();
        var killedAt = DateTimeOffset.UtcNow;
        await using var b = await ServerProcess.StartAsync(settings, Ct);
        using var onB = Authorized(b, client);
        var ended = new List<JsonObject>();
        foreach (var id in ids)
        {
            ended.Add(await UntilAsync(onB, id, status => status is not ("queued" or "running")));
        }

        var listed = await JsonAsync(await onB.GetAsync(new Uri($"/api/v1/executions?workflowId={workflow}", UriKind.Relative), Ct));
        var queue = await JsonAsync(await onB.GetAsync(new Uri($"/api/v1/orgs/{orgId}/queue", UriKind.Relative), Ct));

        Assert.All(ended, e => Assert.Equal("succeeded", e["status"].Text()));
        // Each was run again from its start by replica B, after A died.
        Assert.All(ended, e => Assert.True(e["startedAt"]!.GetValue<DateTimeOffset>() > killedAt.AddSeconds(-1), e.ToJsonString()));
        Assert.Equal(ids.Order(), listed["items"]!.AsArray().Select(e => e!["id"].Text()).Order());
        Assert.Equal(0, queue["waiting"]!.GetValue<int>());
        Assert.Equal(0, queue["running"]!.GetValue<int>());
        Assert.Equal(0, queue["scheduled"]!.GetValue<int>());
    }

    [Fact]
    public async Task After_a_restart_waiting_runs_resume_by_their_timer_and_by_their_token_and_a_used_token_is_refused()
    {
        // Every wait is saved (none slept through), so the timer's resume is a queue item that outlives the process.
        var settings = Settings(("Queue:MaxInlineWait", "00:00:00"));
        var a = await ServerProcess.StartAsync(settings, Ct);
        await using var _ = a;
        var (client, _) = await SignUpAsync(a);
        var timed = await WorkflowAsync(client, Pause(3000));
        var approval = await WorkflowAsync(client, Approval);
        var timerRun = await QueueAsync(client, timed);
        await UntilAsync(client, timerRun, status => status == "waiting");
        var asked = await JsonAsync(await client.PostAsJsonAsync(new Uri($"/api/v1/workflows/{approval}/runs?wait=true", UriKind.Relative), new { }, Ct));
        var token = asked["waits"]![0]!["token"].Text();

        await a.KillAsync();
        await using var b = await ServerProcess.StartAsync(settings, Ct);
        using var onB = Authorized(b, client);
        var timerEnded = await UntilAsync(onB, timerRun, status => status is not ("waiting" or "running"));
        using var anonymous = b.Client();
        var resumed = await JsonAsync(await anonymous.PostAsJsonAsync(new Uri($"/api/v1/resume/{token}", UriKind.Relative),
            new { payload = new { approved = true } }, Ct));
        var again = await anonymous.PostAsJsonAsync(new Uri($"/api/v1/resume/{token}", UriKind.Relative), new { payload = new { approved = false } }, Ct);
        var approvalEnded = await UntilAsync(onB, asked["id"].Text(), status => status is not ("waiting" or "running"));

        Assert.Equal("waiting", asked["status"].Text());
        Assert.Equal("succeeded", timerEnded["status"].Text());
        Assert.Equal("succeeded", resumed["status"].Text());
        Assert.Equal("succeeded", approvalEnded["status"].Text());
        Assert.True(approvalEnded["result"]!["approved"]!.GetValue<bool>());
        await Expect.ProblemAsync(again, HttpStatusCode.Conflict, "token-used");
    }

    [Fact]
    public async Task A_replica_stopped_with_SIGTERM_gives_its_runs_back_and_another_finishes_them_without_waiting_for_the_lease()
    {
        var settings = Settings(("Queue:LeaseDuration", "00:05:00"), ("Queue:HeartbeatInterval", "00:01:00"));
        var a = await ServerProcess.StartAsync(settings, Ct);
        await using var _ = a;
        var (client, _) = await SignUpAsync(a);
        var workflow = await WorkflowAsync(client, Pause(3000));
        var id = await QueueAsync(client, workflow);
        await UntilAsync(client, id, status => status == "running");

        await a.StopAsync(TimeSpan.FromSeconds(30));
        await using var b = await ServerProcess.StartAsync(settings, Ct);
        using var onB = Authorized(b, client);
        var ended = await UntilAsync(onB, id, status => status is not ("queued" or "running"), TimeSpan.FromSeconds(30));

        // Well within the 5-minute lease: the item was given back, not left to expire.
        Assert.Equal("succeeded", ended["status"].Text());
        Assert.Contains("given back to the queue", a.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_cancelled_while_its_replica_is_dead_is_recorded_cancelled_by_the_next_claim_and_not_run_again()
    {
        // A lease long enough that B is up and asked to cancel before it expires (B cannot claim the item yet).
        var settings = Settings(("Queue:LeaseDuration", "00:00:20"), ("Queue:HeartbeatInterval", "00:00:05"), ("Queue:MaxInlineWait", "00:02:00"));
        var a = await ServerProcess.StartAsync(settings, Ct);
        await using var _ = a;
        var (client, _) = await SignUpAsync(a);
        var workflow = await WorkflowAsync(client, Pause(60000));
        var id = await QueueAsync(client, workflow);
        await UntilAsync(client, id, status => status == "running");

        await a.KillAsync();
        await using var b = await ServerProcess.StartAsync(settings, Ct);
        using var onB = Authorized(b, client);
        var answer = await JsonAsync(await onB.PostAsync(new Uri($"/api/v1/executions/{id}/cancel", UriKind.Relative), null, Ct));
        var ended = await UntilAsync(onB, id, status => status is not ("queued" or "running"), TimeSpan.FromSeconds(45));

        // Nobody heard the request (A is dead); B claimed the item once A's lease expired and recorded it cancelled,
        // well before a run from the start (60 s) could have ended.
        Assert.Equal("cancelled", ended["status"].Text());
        Assert.Contains(answer["status"].Text(), new[] { "running", "cancelled" });
        Assert.Contains("recorded cancelled, not run again", b.Output, StringComparison.Ordinal);
    }

    private static async Task<(HttpClient Client, Guid OrgId)> SignUpAsync(ServerProcess server)
    {
        using var anonymous = server.Client();
        var user = await Support.Accounts.SignUpAsync(anonymous);
        var client = server.Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", user.Token);
        return (client, user.OrgId);
    }

    /// <summary>A client for <paramref name="server"/> with the token <paramref name="signedIn"/> sends (tokens hold on every replica).</summary>
    private static HttpClient Authorized(ServerProcess server, HttpClient signedIn)
    {
        var client = server.Client();
        client.DefaultRequestHeaders.Authorization = signedIn.DefaultRequestHeaders.Authorization;
        return client;
    }

    private static async Task<Guid> WorkflowAsync(HttpClient client, string document)
    {
        var orgs = await JsonAsync(await client.GetAsync(new Uri("/api/v1/orgs", UriKind.Relative), Ct));
        var orgId = orgs["items"]![0]!["id"].Text();
        var project = await JsonAsync(await client.PostAsJsonAsync(new Uri($"/api/v1/orgs/{orgId}/projects", UriKind.Relative),
            new { name = "Crash", slug = Member.NewSlug() }, Ct), HttpStatusCode.Created);
        var workflow = await JsonAsync(await client.PostAsJsonAsync(new Uri($"/api/v1/projects/{project["id"].Text()}/workflows", UriKind.Relative),
            new JsonObject { ["name"] = "w-" + Guid.NewGuid().ToString("n")[..8], ["document"] = JsonNode.Parse(document) }, Ct), HttpStatusCode.Created);
        return Guid.Parse(workflow["id"].Text());
    }

    private static async Task<string> QueueAsync(HttpClient client, Guid workflow)
    {
        var accepted = await JsonAsync(await client.PostAsJsonAsync(new Uri($"/api/v1/workflows/{workflow}/runs", UriKind.Relative), new { }, Ct),
            HttpStatusCode.Accepted);
        return accepted["id"].Text();
    }

    private static async Task<JsonObject> UntilAsync(HttpClient client, string id, Func<string, bool> done, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? Patience);
        while (true)
        {
            var execution = await JsonAsync(await client.GetAsync(new Uri($"/api/v1/executions/{id}", UriKind.Relative), Ct));
            if (done(execution["status"].Text()))
            {
                return execution;
            }

            Assert.True(DateTime.UtcNow < deadline, $"execution {id} is still {execution["status"].Text()}");
            await Task.Delay(100, Ct);
        }
    }

    private static Task<JsonObject> JsonAsync(HttpResponseMessage answer, HttpStatusCode status = HttpStatusCode.OK) => Expect.JsonAsync(answer, status);

    private static string Pause(int ms) => $$"""
        { "schema": "plexus/workflow@1", "name": "pause",
          "nodes": [
            { "id": "start", "type": "trigger.manual" },
            { "id": "pause", "type": "flow.wait", "settings": { "mode": "duration", "durationMs": {{ms}} } },
            { "id": "done", "type": "flow.return", "settings": { "value": "done" } }
          ],
          "edges": [ { "from": "start", "to": "pause" }, { "from": "pause", "to": "done" } ] }
        """;

    private const string Approval = """
        { "schema": "plexus/workflow@1", "name": "approval",
          "nodes": [
            { "id": "start", "type": "trigger.manual" },
            { "id": "ask", "type": "flow.wait", "settings": { "mode": "resume" } },
            { "id": "done", "type": "flow.return", "settings": { "value": "={{ input }}" } }
          ],
          "edges": [ { "from": "start", "to": "ask" }, { "from": "ask", "to": "done" } ] }
        """;
}
