using System.Net;
using System.Net.Http.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Plexus.Engine.Execution;
using Plexus.Server.Features.LiveEvents;
using Plexus.Server.Tests.Projects;
using Plexus.Server.Tests.Support;

namespace Plexus.Server.Tests.LiveEvents;

/// <summary>Live events of runs over the <c>/hubs/executions</c> SignalR hub, with a real client; on each database.</summary>
public abstract class LiveEventsSpec<TServer>(TServer server) : IClassFixture<TServer> where TServer : PlexusServer
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>trigger → a 1.5 s wait (joiners arrive during it) → set → return.</summary>
    protected const string Slow = """
        { "schema": "plexus/workflow@1", "name": "slow",
          "nodes": [
            { "id": "start", "type": "trigger.manual" },
            { "id": "wait", "type": "flow.wait", "settings": { "mode": "duration", "durationMs": 1500 } },
            { "id": "set", "type": "data.set", "settings": { "value": { "done": true } } },
            { "id": "result", "type": "flow.return" }
          ],
          "edges": [ { "from": "start", "to": "wait" }, { "from": "wait", "to": "set" }, { "from": "set", "to": "result" } ] }
        """;

    private async Task<Member> SignUpAsync()
    {
        if (server.SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }

        return await Member.SignUpAsync(server);
    }

    [Fact]
    public async Task A_member_watching_a_run_gets_its_node_events_in_order_and_the_final_state()
    {
        var alice = await SignUpAsync();
        var (_, workflow) = await alice.ProjectWithWorkflowAsync(Slow);
        var id = await StartRunAsync(alice, workflow);
        await using var watcher = await LiveClient.ConnectAsync(server, Token(alice));

        var joined = await watcher.JoinAsync(id);
        var events = await watcher.UntilFinishedAsync(joined);

        Assert.Equal(id, joined.ExecutionId);
        Assert.Equal(ExecutionEventTypes.RunFinished, events[^1].Type);
        Assert.Equal(ExecutionStatus.Succeeded, events[^1].Status);
        var set = events.Where(e => e.NodeId == "set").Select(e => e.Type).ToList();
        Assert.Equal([ExecutionEventTypes.NodeStarted, ExecutionEventTypes.NodeFinished], set);
        Assert.True(events.FindIndex(e => e.NodeId == "set") < events.FindIndex(e => e.NodeId == "result"), "events out of order");
    }

    [Fact]
    public async Task Only_members_of_the_executions_organisation_can_join_and_strangers_learn_nothing()
    {
        var alice = await SignUpAsync();
        var bob = await Member.SignUpAsync(server);
        var (_, workflow) = await alice.ProjectWithWorkflowAsync(Slow);
        var id = await StartRunAsync(alice, workflow);
        await using var stranger = await LiveClient.ConnectAsync(server, Token(bob));

        var refused = await Assert.ThrowsAsync<HubException>(() => stranger.JoinAsync(id));
        var unknown = await Assert.ThrowsAsync<HubException>(() => stranger.JoinAsync(Guid.NewGuid()));

        Assert.Contains("execution not found", refused.Message, StringComparison.Ordinal);
        Assert.Equal(unknown.Message, refused.Message);
        var anonymous = await Assert.ThrowsAnyAsync<HttpRequestException>(() => LiveClient.ConnectAsync(server, token: null));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task A_client_that_dropped_its_connection_catches_up_from_the_stored_record_when_it_joins_again()
    {
        var alice = await SignUpAsync();
        var (_, workflow) = await alice.ProjectWithWorkflowAsync(Slow);
        var id = await StartRunAsync(alice, workflow);
        var first = await LiveClient.ConnectAsync(server, Token(alice));
        await first.JoinAsync(id);

        await first.DisposeAsync(); // dropped while the run goes on
        await EndedAsync(alice, id);
        await using var again = await LiveClient.ConnectAsync(server, Token(alice));
        var joined = await again.JoinAsync(id);

        Assert.NotNull(joined.Execution);
        Assert.Equal(ExecutionStatus.Succeeded, joined.Execution.Status);
        Assert.Contains(joined.Execution.Nodes, n => n.NodeId == "set" && n.Status == NodeRunStatus.Succeeded);
    }

    [Fact]
    public async Task Runs_of_dev_routes_are_live_too()
    {
        var alice = await SignUpAsync();
        var slug = Member.NewSlug();
        var project = await alice.CreateProjectAsync(slug);
        await alice.CreateWorkflowAsync(project, "hook", """
            { "schema": "plexus/workflow@1", "name": "hook",
              "nodes": [
                { "id": "hook", "type": "http.trigger", "settings": { "method": "GET", "path": "/slow" } },
                { "id": "wait", "type": "flow.wait", "settings": { "mode": "duration", "durationMs": 4000 } },
                { "id": "reply", "type": "http.response", "settings": { "status": 200, "body": "ok" } }
              ],
              "edges": [ { "from": "hook", "to": "wait" }, { "from": "wait", "to": "reply" } ] }
            """);
        await using var watcher = await LiveClient.ConnectAsync(server, Token(alice));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/p/{slug}/dev/slow");
        var call = server.CreateClient().SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);

        // The execution id is known once the run is under way: it is listed as running after a second.
        Guid? id = null;
        for (var i = 0; i < 40 && id is null; i++)
        {
            await Task.Delay(100, Ct);
            var list = await Expect.JsonAsync(await alice.Http.GetAsync("/api/v1/executions?status=running", Ct));
            id = list["items"]!.AsArray().FirstOrDefault()?["id"]!.GetValue<Guid>();
        }

        Assert.NotNull(id);
        var joined = await watcher.JoinAsync(id.Value);
        var events = await watcher.UntilFinishedAsync(joined);
        Assert.Equal(HttpStatusCode.OK, (await call).StatusCode);
        Assert.Contains(events, e => e.NodeId == "reply" && e.Type == ExecutionEventTypes.NodeFinished);
    }

    private static string Token(Member member) => member.Http.DefaultRequestHeaders.Authorization!.Parameter!;

    private static async Task<Guid> StartRunAsync(Member member, Guid workflow)
    {
        var answer = await member.Http.PostAsJsonAsync($"/api/v1/workflows/{workflow}/runs", new { input = new { } }, Ct);
        return (await Expect.JsonAsync(answer, HttpStatusCode.Accepted))["id"]!.GetValue<Guid>();
    }

    private static async Task EndedAsync(Member member, Guid id)
    {
        for (var i = 0; i < 100; i++)
        {
            var execution = await Expect.JsonAsync(await member.Http.GetAsync($"/api/v1/executions/{id}", Ct));
            if (execution["status"]!.GetValue<string>() is not (ExecutionStatus.Running or ExecutionStatus.Queued))
            {
                return;
            }

            await Task.Delay(100, Ct);
        }

        Assert.Fail($"execution {id} did not end");
    }
}

/// <summary>Two replicas on one PostgreSQL with the Redis backplane.</summary>
public sealed class LiveEventsAcrossReplicas(PostgresRedisServer server) : IClassFixture<PostgresRedisServer>
{
    [Fact]
    public async Task A_client_of_one_replica_sees_the_events_of_a_run_executed_by_another()
    {
        if (server.SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }

        var alice = await Member.SignUpAsync(server);
        var (_, workflow) = await alice.ProjectWithWorkflowAsync(LiveEventsOnSqlite.SlowWorkflow);
        var token = alice.Http.DefaultRequestHeaders.Authorization!.Parameter!;
        await using var replica = server.Replica();
        var viaReplica = replica.ClientWithToken(token);
        await using var watcher = await LiveClient.ConnectAsync(server, token);

        // Waited for (briefly), so that it runs on the replica that took it: a run not waited for goes to the queue,
        // where either replica's workers may take it.
        var answer = await viaReplica.PostAsJsonAsync($"/api/v1/workflows/{workflow}/runs?wait=true&timeoutMs=200", new { input = new { } },
            TestContext.Current.CancellationToken);
        var id = (await Expect.JsonAsync(answer, HttpStatusCode.Accepted))["id"]!.GetValue<Guid>();
        var joined = await watcher.JoinAsync(id);
        var events = await watcher.UntilFinishedAsync(joined);

        Assert.Empty(joined.Events); // the run is not on this replica: every event came through Redis
        Assert.Contains(events, e => e.NodeId == "set" && e.Type == ExecutionEventTypes.NodeFinished);
        Assert.Equal(ExecutionStatus.Succeeded, events[^1].Status);
    }
}

public sealed class LiveEventsOnSqlite(SqliteServer server) : LiveEventsSpec<SqliteServer>(server)
{
    internal static string SlowWorkflow => Slow;
}

public sealed class LiveEventsOnPostgres(PostgresServer server) : LiveEventsSpec<PostgresServer>(server);

/// <summary>A SignalR client of <c>/hubs/executions</c> on an in-process server, over WebSockets, collecting events.</summary>
internal sealed class LiveClient : IAsyncDisposable
{
    private readonly HubConnection _connection;
    private readonly Channel<ExecutionEvent> _events = Channel.CreateUnbounded<ExecutionEvent>();

    private LiveClient(HubConnection connection)
    {
        _connection = connection;
        _connection.On<ExecutionEvent>(ExecutionsHub.EventMethod, e => _events.Writer.TryWrite(e));
    }

    public static async Task<LiveClient> ConnectAsync(WebApplicationFactory<Program> app, string? token)
    {
        _ = app.Services; // starts the server
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(app.Server.BaseAddress, "hubs/executions"), o =>
            {
                o.HttpMessageHandlerFactory = _ => app.Server.CreateHandler();
                o.WebSocketFactory = async (context, cancellationToken) =>
                {
                    // A custom factory sends no token by itself; a browser would put it in the query, as here.
                    var uri = token is null ? context.Uri : new UriBuilder(context.Uri) { Query = context.Uri.Query.TrimStart('?') + "&access_token=" + token }.Uri;
                    return await app.Server.CreateWebSocketClient().ConnectAsync(uri, cancellationToken);
                };
                o.Transports = HttpTransportType.WebSockets;
                o.AccessTokenProvider = () => Task.FromResult(token);
            })
            .Build();
        var client = new LiveClient(connection);
        try
        {
            await connection.StartAsync(TestContext.Current.CancellationToken);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        return client;
    }

    public Task<ExecutionJoined> JoinAsync(Guid executionId) =>
        _connection.InvokeAsync<ExecutionJoined>("Join", executionId, TestContext.Current.CancellationToken);

    /// <summary>What the join answered, then the events received, until <c>run.finished</c> (at most 20 s).</summary>
    public async Task<List<ExecutionEvent>> UntilFinishedAsync(ExecutionJoined joined)
    {
        // Events in the answer and events sent after it may overlap: one of each.
        var events = new List<ExecutionEvent>(joined.Events);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        while (events.Count == 0 || events[^1].Type != ExecutionEventTypes.RunFinished)
        {
            var next = await _events.Reader.ReadAsync(timeout.Token);
            if (!events.Any(e => e.Type == next.Type && e.NodeId == next.NodeId && e.Sequence == next.Sequence))
            {
                events.Add(next);
            }
        }

        return events;
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
