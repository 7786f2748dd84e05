using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Plexus.Server.Tests.Projects;

namespace Plexus.Server.Tests.Schedules;

/// <summary>What the schedule specs share: documents with a schedule trigger, publishing, and reading what ran.</summary>
internal static class ScheduleRuns
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A schedule trigger with <paramref name="settings"/> (JSON members) that waits <paramref name="waitMs"/> and returns its tick.</summary>
    public static string Scheduled(string settings, int waitMs = 0, string name = "tick") => $$$"""
        { "schema": "plexus/workflow@1", "name": "{{{name}}}",
          "nodes": [
            { "id": "tick", "type": "schedule.cron", "settings": { {{{settings}}} } },
            { "id": "pause", "type": "flow.wait", "settings": { "mode": "duration", "durationMs": {{{waitMs}}} } },
            { "id": "done", "type": "flow.return", "settings": { "value": "={{ trigger.scheduledAt }}" } }
          ],
          "edges": [ { "from": "tick", "to": "pause" }, { "from": "pause", "to": "done" } ] }
        """;

    public static async Task PublishAsync(Member member, Guid workflow, string? document, string stage = "prod")
    {
        var version = await member.FreezeAsync(workflow, document);
        var published = await member.Http.PostAsJsonAsync($"/api/v1/workflows/{workflow}/publish", new { stage, version }, Ct);
        Assert.Equal(HttpStatusCode.OK, published.StatusCode);
    }

    public static async Task UnpublishAsync(Member member, Guid workflow, string stage = "prod")
    {
        var answer = await member.Http.PostAsJsonAsync($"/api/v1/workflows/{workflow}/unpublish", new { stage }, Ct);
        Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
    }

    /// <summary>The recorded executions of a workflow: its trigger input, and when it started and ended.</summary>
    public static Task<List<Ran>> RanAsync(Member member, Guid workflow) => member.WithDatabaseAsync(async db =>
    {
        var rows = await db.Executions.AsNoTracking().Where(e => e.WorkflowId == workflow).ToListAsync(Ct);
        return rows.Select(r =>
        {
            var trigger = JsonNode.Parse(r.Trigger ?? "null") as JsonObject;
            return new Ran(r.Id, r.Status, r.Stage, r.Version, Time(trigger?["scheduledAt"]), Time(trigger?["firedAt"]), r.StartedAt, r.EndedAt);
        }).OrderBy(r => r.StartedAt).ToList();
    });

    private static DateTimeOffset? Time(JsonNode? node) =>
        node is null ? null : DateTimeOffset.Parse(node.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public sealed record Ran(Guid Id, string Status, string Stage, int? Version, DateTimeOffset? ScheduledAt, DateTimeOffset? FiredAt,
        DateTimeOffset StartedAt, DateTimeOffset? EndedAt);

    /// <summary>Waits until <paramref name="done"/> holds for the recorded executions (at most <paramref name="seconds"/>).</summary>
    public static async Task<List<Ran>> UntilAsync(Member member, Guid workflow, Func<List<Ran>, bool> done, int seconds = 15)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var ran = await RanAsync(member, workflow);
            if (done(ran) || DateTime.UtcNow > until)
            {
                return ran;
            }

            await Task.Delay(100, Ct);
        }
    }

    public static string RepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "Plexus.slnx")))
        {
            dir = Path.GetDirectoryName(dir)!;
        }

        return dir;
    }
}
