using System.Net;
using System.Net.Http.Json;
using Plexus.Server.Tests.Projects;
using Plexus.Server.Tests.Support;

namespace Plexus.Server.Tests.Runs;

/// <summary>Two replicas on one PostgreSQL: a run is cancelled through either, whichever one runs it.</summary>
public sealed class RunsAcrossReplicas(PostgresServer server) : IClassFixture<PostgresServer>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_run_on_one_replica_is_cancelled_through_another()
    {
        if (server.SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }

        var alice = await Member.SignUpAsync(server);
        var workflow = await alice.WorkflowAsync(Flows.Slow);
        await using var replica = server.Replica();
        using var viaReplica = replica.ClientWithToken(alice.Http.DefaultRequestHeaders.Authorization!.Parameter!);
        // Waited for (briefly), so that it runs on the replica that took it: a run not waited for goes to the queue,
        // where either replica's workers may take it.
        var answer = await viaReplica.PostAsJsonAsync($"/api/v1/workflows/{workflow}/runs?wait=true&timeoutMs=200", new { input = new { } }, Ct);
        var id = (await Expect.JsonAsync(answer, HttpStatusCode.Accepted))["id"].Text();

        var cancelled = await Expect.JsonAsync(await alice.Http.PostAsync($"/api/v1/executions/{id}/cancel", null, Ct));
        var onReplica = await Expect.JsonAsync(await viaReplica.GetAsync($"/api/v1/executions/{id}", Ct));
        var again = await alice.Http.PostAsync($"/api/v1/executions/{id}/cancel", null, Ct);

        Assert.Equal("running", (await answer.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>(Ct))!["status"].Text());
        Assert.Equal("cancelled", cancelled["status"].Text());
        Assert.NotNull(cancelled["endedAt"]);
        Assert.Equal("cancelled", onReplica["status"].Text());
        await Expect.ProblemAsync(again, HttpStatusCode.Conflict, "execution-ended");
    }
}
