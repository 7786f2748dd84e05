using Plexus.Server.Tests.Projects;
using Plexus.Server.Tests.Support;

namespace Plexus.Server.Tests.Schedules;

/// <summary>
/// Two server instances on one PostgreSQL (Quartz's clustered store): a one-second cron for 30 ticks, and every tick ran
/// exactly once, whichever replica fired it.
/// </summary>
public sealed class ScheduleReplicasOnPostgres(PostgresServer server) : IClassFixture<PostgresServer>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Two_replicas_run_every_tick_of_a_one_second_cron_exactly_once()
    {
        if (server.SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }

        await using var replica = server.Replica();
        replica.CreateClient(); // starts the second server (and its scheduler) on the same database
        var alice = await Member.SignUpAsync(server);
        var project = await alice.CreateProjectAsync();
        var document = ScheduleRuns.Scheduled("\"cron\": \"* * * * * *\", \"overlap\": \"allow\"");
        var workflow = await alice.CreateWorkflowAsync(project, "tick", document);

        await ScheduleRuns.PublishAsync(alice, workflow, document);
        await ScheduleRuns.UntilAsync(alice, workflow, r => r.Select(e => e.ScheduledAt).Distinct().Count() >= 31, seconds: 90);
        await ScheduleRuns.UnpublishAsync(alice, workflow);
        await Task.Delay(2000, Ct); // the last firing and the batched records land
        var ran = await ScheduleRuns.RanAsync(alice, workflow);

        var ticks = ran.GroupBy(e => e.ScheduledAt!.Value).OrderBy(g => g.Key).ToList();
        Assert.True(ticks.Count >= 31, $"{ticks.Count} ticks");
        Assert.All(ticks, tick => Assert.True(tick.Count() == 1, $"tick {tick.Key:O} ran {tick.Count()} times"));
        // No tick in between was lost: consecutive seconds from the first to the last.
        Assert.All(ticks.Zip(ticks.Skip(1)), pair => Assert.Equal(TimeSpan.FromSeconds(1), pair.Second.Key - pair.First.Key));
        Assert.All(ran, e => Assert.Equal("succeeded", e.Status));
    }
}
