using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Plexus.Server.Tests.Projects;
using Plexus.Server.Tests.Support;
using static Plexus.Server.Tests.Schedules.ScheduleRuns;

namespace Plexus.Server.Tests.Schedules;

/// <summary>Published <c>schedule.cron</c> triggers firing for real (per-second crons keep it short); on each database.</summary>
public abstract class SchedulesSpec<TServer>(TServer server) : IClassFixture<TServer> where TServer : PlexusServer
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

    private static async Task<JsonArray> ListAsync(Member member, Guid project, string? stage = null)
    {
        var answer = await member.Http.GetAsync($"/api/v1/projects/{project}/schedules" + (stage is null ? "" : $"?stage={stage}"), Ct);
        return (await Expect.JsonAsync(answer))["items"]!.AsArray();
    }

    [Fact]
    public async Task An_invalid_cron_or_time_zone_is_refused_with_its_path()
    {
        var alice = await SignUpAsync();
        var project = await alice.CreateProjectAsync();

        var answer = await alice.Http.PostAsJsonAsync($"/api/v1/projects/{project}/workflows",
            new { name = "bad", document = JsonNode.Parse(Scheduled("\"cron\": \"61 * * * *\", \"timeZone\": \"Mars/Olympus\"")) }, Ct);
        var fields = await alice.Http.PostAsJsonAsync($"/api/v1/projects/{project}/workflows",
            new { name = "short", document = JsonNode.Parse(Scheduled("\"cron\": \"* * * *\"")) }, Ct);
        var overlap = await alice.Http.PostAsJsonAsync($"/api/v1/projects/{project}/workflows",
            new { name = "overlap", document = JsonNode.Parse(Scheduled("\"cron\": \"* * * * *\", \"overlap\": \"sometimes\"")) }, Ct);

        var problem = await Expect.ProblemAsync(answer, HttpStatusCode.UnprocessableEntity, "validation");
        Assert.Equal(["document.nodes[0].settings.cron", "document.nodes[0].settings.timeZone"], Expect.ErrorPaths(problem));
        Assert.Contains("Mars/Olympus", problem["errors"]!["document.nodes[0].settings.timeZone"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        var tooShort = await Expect.ProblemAsync(fields, HttpStatusCode.UnprocessableEntity, "validation");
        Assert.Contains("5 fields", tooShort["errors"]!["document.nodes[0].settings.cron"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(["document.nodes[0].settings.overlap"], Expect.ErrorPaths(await Expect.ProblemAsync(overlap, HttpStatusCode.UnprocessableEntity, "validation")));
    }

    [Fact]
    public async Task Only_published_versions_schedule_and_next_fire_times_follow_cron_and_time_zone()
    {
        var alice = await SignUpAsync();
        var project = await alice.CreateProjectAsync();
        var document = """
            { "schema": "plexus/workflow@1", "name": "times",
              "nodes": [
                { "id": "weekdays", "type": "schedule.cron", "settings": { "cron": "30 9 * * 1-5", "timeZone": "Europe/Amsterdam" } },
                { "id": "sundays", "type": "schedule.cron", "settings": { "cron": "0 12 * * 0", "misfire": "runOnce", "overlap": "queue" } },
                { "id": "quarter", "type": "schedule.cron", "settings": { "cron": "*/15 * * * * *" } },
                { "id": "done", "type": "flow.return", "settings": { "value": 1 } }
              ],
              "edges": [ { "from": "weekdays", "to": "done" }, { "from": "sundays", "to": "done" }, { "from": "quarter", "to": "done" } ] }
            """;
        var workflow = await alice.CreateWorkflowAsync(project, "times", document);

        Assert.Empty(await ListAsync(alice, project));
        await PublishAsync(alice, workflow, document);
        var all = await ListAsync(alice, project);
        var onDev = await ListAsync(alice, project, "dev");
        await UnpublishAsync(alice, workflow);

        Assert.Empty(onDev);
        Assert.Equal(["quarter", "sundays", "weekdays"], all.Select(s => s!["node"]!.GetValue<string>()));
        var amsterdam = TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam");
        var byNode = all.ToDictionary(s => s!["node"]!.GetValue<string>(), s => s!.AsObject());
        Assert.All(Times(byNode["weekdays"]), t =>
        {
            var local = TimeZoneInfo.ConvertTime(t, amsterdam);
            Assert.Equal((9, 30, 0), (local.Hour, local.Minute, local.Second));
            Assert.InRange((int)local.DayOfWeek, 1, 5);
        });
        Assert.All(Times(byNode["sundays"]), t => Assert.Equal((DayOfWeek.Sunday, 12, 0), (t.UtcDateTime.DayOfWeek, t.UtcDateTime.Hour, t.UtcDateTime.Minute)));
        var quarter = Times(byNode["quarter"]);
        Assert.All(quarter, t => Assert.Equal(0, t.Second % 15));
        Assert.All(quarter.Zip(quarter.Skip(1)), pair => Assert.Equal(TimeSpan.FromSeconds(15), pair.Second - pair.First));
        Assert.Equal(5, quarter.Count);
        Assert.Equal(("prod", 1, "UTC", "queue", "runOnce", false), (byNode["sundays"]["stage"]!.GetValue<string>(), byNode["sundays"]["version"]!.GetValue<int>(),
            byNode["sundays"]["timeZone"]!.GetValue<string>(), byNode["sundays"]["overlap"]!.GetValue<string>(),
            byNode["sundays"]["misfire"]!.GetValue<string>(), byNode["sundays"]["paused"]!.GetValue<bool>()));
        Assert.Empty(await ListAsync(alice, project));
    }

    private static List<DateTimeOffset> Times(JsonObject schedule) =>
        [.. schedule["nextFireTimes"]!.AsArray().Select(t => DateTimeOffset.Parse(t!.GetValue<string>(), CultureInfo.InvariantCulture))];

    [Fact]
    public async Task Ticks_run_the_published_version_once_each_until_unpublished()
    {
        var alice = await SignUpAsync();
        var project = await alice.CreateProjectAsync();
        var document = Scheduled("\"cron\": \"* * * * * *\", \"overlap\": \"allow\"");
        var workflow = await alice.CreateWorkflowAsync(project, "tick", document);

        await PublishAsync(alice, workflow, document);
        var ran = await UntilAsync(alice, workflow, r => r.Count(e => e.Status == "succeeded") >= 3);
        await UnpublishAsync(alice, workflow);
        var unpublishedAt = DateTimeOffset.UtcNow;
        await Task.Delay(2500, Ct); // two more ticks, were the schedule still there
        var later = await RanAsync(alice, workflow);

        Assert.True(ran.Count(e => e.Status == "succeeded") >= 3, $"{ran.Count} runs");
        Assert.All(ran, e =>
        {
            Assert.Equal(("prod", 1), (e.Stage, e.Version));
            Assert.NotNull(e.ScheduledAt);
            Assert.Equal(0, e.ScheduledAt!.Value.Millisecond);
            Assert.True(e.FiredAt >= e.ScheduledAt, $"fired {e.FiredAt:O} before {e.ScheduledAt:O}");
        });
        Assert.Equal(later.Count, later.Select(e => e.ScheduledAt).Distinct().Count());
        // A firing under way at the unpublish may still be recorded; none fires after it.
        Assert.All(later, e => Assert.True(e.FiredAt <= unpublishedAt, $"tick {e.ScheduledAt:O} fired at {e.FiredAt:O}, after the unpublish"));
        Assert.Empty(await ListAsync(alice, project));
    }

    [Fact]
    public async Task Pause_stops_the_ticks_resume_restarts_them_and_run_now_fires_at_once()
    {
        var alice = await SignUpAsync();
        var project = await alice.CreateProjectAsync();
        var document = Scheduled("\"cron\": \"* * * * * *\"");
        var workflow = await alice.CreateWorkflowAsync(project, "tick", document);
        await PublishAsync(alice, workflow, document);
        var schedule = $"/api/v1/workflows/{workflow}/schedules/prod/tick";

        await UntilAsync(alice, workflow, r => r.Count >= 1);
        var paused = await Expect.JsonAsync(await alice.Http.PostAsync($"{schedule}/pause", null, Ct));
        var pausedAt = DateTimeOffset.UtcNow;
        var listed = Assert.Single(await ListAsync(alice, project, "prod"))!;
        await Task.Delay(3000, Ct); // three ticks, were the pause not kept
        var runNow = await alice.Http.PostAsync($"{schedule}/run", null, Ct);
        var started = await Expect.JsonAsync(runNow, HttpStatusCode.Accepted);
        var executionId = Guid.Parse(started["executionId"]!.GetValue<string>());
        var withRunNow = await UntilAsync(alice, workflow, r => r.Any(e => e.Id == executionId && e.Status == "succeeded"));
        var resumed = await Expect.JsonAsync(await alice.Http.PostAsync($"{schedule}/resume", null, Ct));
        var after = await UntilAsync(alice, workflow, r => r.Count >= withRunNow.Count + 2);
        await UnpublishAsync(alice, workflow);
        var gone = await alice.Http.PostAsync($"{schedule}/pause", null, Ct);

        Assert.True(paused["paused"]!.GetValue<bool>());
        Assert.Empty(paused["nextFireTimes"]!.AsArray());
        Assert.True(listed["paused"]!.GetValue<bool>());
        // A firing under way at the pause may still be recorded; none but run-now fires during it.
        Assert.DoesNotContain(withRunNow, e => e.Id != executionId && e.FiredAt > pausedAt);
        Assert.Equal($"/api/v1/executions/{executionId}", runNow.Headers.Location?.ToString());
        var manual = Assert.Single(withRunNow, e => e.Id == executionId);
        Assert.NotNull(manual.ScheduledAt);
        Assert.False(resumed["paused"]!.GetValue<bool>());
        Assert.NotNull(resumed["nextFireAt"]);
        Assert.True(after.Count >= withRunNow.Count + 2, $"{after.Count} runs after resuming, {withRunNow.Count} before");
        await Expect.ProblemAsync(gone, HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task Overlap_skip_queue_and_allow_decide_what_a_tick_does_while_a_run_goes_on()
    {
        var alice = await SignUpAsync();
        var project = await alice.CreateProjectAsync();
        var workflows = new Dictionary<string, Guid>(StringComparer.Ordinal);
        foreach (var overlap in new[] { "skip", "queue", "allow" })
        {
            var document = Scheduled($"\"cron\": \"* * * * * *\", \"overlap\": \"{overlap}\"", waitMs: 2200, name: overlap);
            workflows[overlap] = await alice.CreateWorkflowAsync(project, overlap, document);
            await PublishAsync(alice, workflows[overlap], document);
        }

        await UntilAsync(alice, workflows["skip"], r => r.Count(e => e.EndedAt is not null) >= 2, seconds: 20);
        foreach (var workflow in workflows.Values)
        {
            await UnpublishAsync(alice, workflow);
        }

        await Task.Delay(2500, Ct);
        var skip = (await RanAsync(alice, workflows["skip"])).Where(e => e.EndedAt is not null).ToList();
        var queue = (await RanAsync(alice, workflows["queue"])).Where(e => e.EndedAt is not null).ToList();
        var allow = await RanAsync(alice, workflows["allow"]);

        Assert.True(skip.Count >= 2, $"{skip.Count} skip runs");
        Assert.All(skip.Zip(skip.Skip(1)), pair => Assert.True(pair.Second.StartedAt >= pair.First.EndedAt, "skip runs overlapped"));
        // A skipped tick is dropped: the next run is of a tick after the previous run ended.
        Assert.All(skip.Zip(skip.Skip(1)), pair => Assert.True(pair.Second.ScheduledAt >= pair.First.EndedAt!.Value.AddSeconds(-1)));
        Assert.True(queue.Count >= 2, $"{queue.Count} queue runs");
        Assert.All(queue.Zip(queue.Skip(1)), pair => Assert.True(pair.Second.StartedAt >= pair.First.EndedAt, "queued runs overlapped"));
        // A queued tick waited: it is of a second that came while the previous run went on.
        Assert.All(queue.Zip(queue.Skip(1)), pair => Assert.True(pair.Second.ScheduledAt < pair.First.EndedAt, "the queued tick was not kept"));
        Assert.Contains(allow.Zip(allow.Skip(1)), pair => pair.First.EndedAt is null || pair.Second.StartedAt < pair.First.EndedAt);
    }

    [Fact]
    public async Task Publishing_another_version_keeps_a_schedule_with_the_same_settings_and_replaces_a_changed_one()
    {
        var alice = await SignUpAsync();
        var project = await alice.CreateProjectAsync();
        var hourly = Scheduled("\"cron\": \"0 * * * *\"");
        var workflow = await alice.CreateWorkflowAsync(project, "tick", hourly);
        await PublishAsync(alice, workflow, hourly);
        await Expect.JsonAsync(await alice.Http.PostAsync($"/api/v1/workflows/{workflow}/schedules/prod/tick/pause", null, Ct));

        await PublishAsync(alice, workflow, Scheduled("\"cron\": \"0 * * * *\"", waitMs: 1)); // v2: same schedule, other nodes
        var sameSettings = Assert.Single(await ListAsync(alice, project))!;
        await PublishAsync(alice, workflow, Scheduled("\"cron\": \"30 6 * * *\""));             // v3: another cron
        var changedPaused = Assert.Single(await ListAsync(alice, project))!;
        var changed = await Expect.JsonAsync(await alice.Http.PostAsync($"/api/v1/workflows/{workflow}/schedules/prod/tick/resume", null, Ct));
        var rollback = await alice.Http.PostAsJsonAsync($"/api/v1/workflows/{workflow}/publish", new { stage = "prod", version = 1 }, Ct);
        var rolledBack = Assert.Single(await ListAsync(alice, project))!;
        await UnpublishAsync(alice, workflow);

        Assert.Equal((2, "0 * * * *", true), (sameSettings["version"]!.GetValue<int>(), sameSettings["cron"]!.GetValue<string>(), sameSettings["paused"]!.GetValue<bool>()));
        // A pause is an operator's decision: a publish never lifts it, whatever it changes.
        Assert.Equal((3, "30 6 * * *", true), (changedPaused["version"]!.GetValue<int>(), changedPaused["cron"]!.GetValue<string>(),
            changedPaused["paused"]!.GetValue<bool>()));
        Assert.False(changed["paused"]!.GetValue<bool>());
        Assert.Equal(30, DateTimeOffset.Parse(changed["nextFireAt"]!.GetValue<string>(), CultureInfo.InvariantCulture).Minute);
        Assert.Equal(HttpStatusCode.OK, rollback.StatusCode);
        Assert.Equal((1, "0 * * * *"), (rolledBack["version"]!.GetValue<int>(), rolledBack["cron"]!.GetValue<string>()));
        Assert.Equal(0, DateTimeOffset.Parse(rolledBack["nextFireAt"]!.GetValue<string>(), CultureInfo.InvariantCulture).Minute);
    }

    [Fact]
    public async Task Ticks_missed_while_paused_run_once_at_resume_with_run_once_and_not_at_all_with_skip()
    {
        // A server of its own (its own database): every server of one database must agree on the threshold.
        await using var own = Activator.CreateInstance<TServer>();
        await own.InitializeAsync();
        if (own.SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }

        own.Configure("Schedules:MisfireThreshold", "00:00:01");
        var alice = await Member.SignUpAsync(own);
        var project = await alice.CreateProjectAsync();
        var workflows = new Dictionary<string, Guid>(StringComparer.Ordinal);
        foreach (var misfire in new[] { "runOnce", "skip" })
        {
            var document = Scheduled($"\"cron\": \"* * * * * *\", \"misfire\": \"{misfire}\"", name: misfire);
            workflows[misfire] = await alice.CreateWorkflowAsync(project, misfire, document);
            await PublishAsync(alice, workflows[misfire], document);
            await Expect.JsonAsync(await alice.Http.PostAsync($"/api/v1/workflows/{workflows[misfire]}/schedules/prod/tick/pause", null, Ct));
        }

        await Task.Delay(3000, Ct);
        var resumedAt = DateTimeOffset.UtcNow;
        foreach (var workflow in workflows.Values)
        {
            await Expect.JsonAsync(await alice.Http.PostAsync($"/api/v1/workflows/{workflow}/schedules/prod/tick/resume", null, Ct));
        }

        await Task.Delay(2500, Ct);
        foreach (var workflow in workflows.Values)
        {
            await UnpublishAsync(alice, workflow);
        }

        await Task.Delay(1500, Ct);
        var runOnce = (await RanAsync(alice, workflows["runOnce"])).Where(e => e.StartedAt >= resumedAt).ToList();
        var skip = (await RanAsync(alice, workflows["skip"])).Where(e => e.StartedAt >= resumedAt).ToList();

        var late = Assert.Single(runOnce, e => e.FiredAt - e.ScheduledAt > TimeSpan.FromSeconds(1));
        Assert.True(late.ScheduledAt < resumedAt, $"the run once is of a tick missed while paused, not {late.ScheduledAt:O}");
        Assert.Contains(runOnce, e => e.FiredAt - e.ScheduledAt < TimeSpan.FromSeconds(1));
        Assert.DoesNotContain(skip, e => e.FiredAt - e.ScheduledAt > TimeSpan.FromSeconds(1));
        Assert.NotEmpty(skip);
    }

    [Fact]
    public async Task The_schedule_endpoints_are_in_the_openapi_document()
    {
        var alice = await SignUpAsync();

        var document = await Expect.JsonAsync(await alice.Http.GetAsync("/openapi/v1.json", Ct));

        var paths = document["paths"]!.AsObject();
        Assert.NotNull(paths["/api/v1/projects/{projectId}/schedules"]?["get"]);
        foreach (var action in new[] { "pause", "resume", "run" })
        {
            Assert.NotNull(paths[$"/api/v1/workflows/{{workflowId}}/schedules/{{stage}}/{{nodeId}}/{action}"]?["post"]);
        }
    }

    [Fact]
    public async Task The_documented_example_is_listed_and_runs_on_demand()
    {
        var alice = await SignUpAsync();
        var project = await alice.CreateProjectAsync();
        var document = await File.ReadAllTextAsync(Path.Combine(RepoRoot(), "examples", "nightly-report.json"), Ct);
        var workflow = await alice.CreateWorkflowAsync(project, "nightly-report", document);
        await PublishAsync(alice, workflow, null);

        var listed = Assert.Single(await ListAsync(alice, project, "prod"))!;
        var started = await Expect.JsonAsync(await alice.Http.PostAsync($"/api/v1/workflows/{workflow}/schedules/prod/nightly/run", null, Ct),
            HttpStatusCode.Accepted);
        var id = Guid.Parse(started["executionId"]!.GetValue<string>());
        await UntilAsync(alice, workflow, r => r.Any(e => e.Id == id && e.Status != "running"));
        var execution = await Expect.JsonAsync(await alice.Http.GetAsync($"/api/v1/executions/{id}", Ct));
        await UnpublishAsync(alice, workflow);

        Assert.Equal(("0 2 * * *", "Europe/Amsterdam", "skip", "runOnce"), (listed["cron"]!.GetValue<string>(), listed["timeZone"]!.GetValue<string>(),
            listed["overlap"]!.GetValue<string>(), listed["misfire"]!.GetValue<string>()));
        var amsterdam = TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam");
        Assert.Equal(2, TimeZoneInfo.ConvertTime(DateTimeOffset.Parse(listed["nextFireAt"]!.GetValue<string>(), CultureInfo.InvariantCulture), amsterdam).Hour);
        Assert.Equal("succeeded", execution["status"]!.GetValue<string>());
        Assert.StartsWith("report for ", execution["result"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}

public sealed class SchedulesOnSqlite(SqliteServer server) : SchedulesSpec<SqliteServer>(server);

public sealed class SchedulesOnPostgres(PostgresServer server) : SchedulesSpec<PostgresServer>(server);
