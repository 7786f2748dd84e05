using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Plexus.Cli.Remote;
using Spectre.Console;

namespace Plexus.Cli.Commands;

/// <summary>
/// <c>plexus schedules ls|pause|resume|run</c>: the schedules of a project's published versions, with their next fire
/// times, and steering one of them.
/// </summary>
internal static class SchedulesCommand
{
    public static Command Create() => new("schedules", "List, pause, resume and run the schedules of a project's published workflows.")
    {
        List(),
        Steer("pause", "Pause a schedule: no tick fires until it is resumed.", "paused"),
        Steer("resume", "Resume a paused schedule.", "resumed"),
        Steer("run", "Fire a schedule now (even while paused); prints the execution id.", "started"),
    };

    private static Option<string> Project() => new("--project") { Description = "The project's slug.", Required = true, HelpName = "SLUG" };

    private static Command List()
    {
        var o = new ServerOptions();
        var project = Project();
        var stage = new Option<string?>("--stage") { Description = "Only this stage's schedules (default: every stage).", HelpName = "STAGE" };
        var command = new Command("ls", "List schedules: workflow and version, stage, node, cron and time zone, overlap/misfire, next fire time (UTC).")
        {
            project, stage, o.Server, o.Key, o.Json,
        };
        command.SetAction((parse, cancellationToken) => o.CallAsync(parse, async (api, stdout) =>
        {
            var projectId = await api.ProjectIdAsync(parse.GetValue(project)!, cancellationToken).ConfigureAwait(false);
            var query = parse.GetValue(stage) is { } name ? "?stage=" + Uri.EscapeDataString(name) : "";
            var page = await api.GetAsync($"api/v1/projects/{projectId}/schedules{query}", cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(o.Json))
            {
                await stdout.WriteLineAsync(page.ToJsonString(Display.Indented)).ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            var items = (page["items"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            var table = new Table().Border(TableBorder.Rounded)
                .AddColumn("workflow").AddColumn("stage").AddColumn("node").AddColumn("cron").AddColumn("overlap/misfire").AddColumn("next");
            foreach (var item in items)
            {
                table.AddRow(
                    new Text($"{Wire.Text(item["workflow"])} v{Wire.Text(item["version"])}"),
                    new Text(Wire.Text(item["stage"])),
                    new Text(Wire.Text(item["node"])),
                    new Text($"{Wire.Text(item["cron"])} ({Wire.Text(item["timeZone"])})"),
                    new Text($"{Wire.Text(item["overlap"])}/{Wire.Text(item["misfire"])}"),
                    Next(item));
            }

            var console = Terminal.For(stdout);
            console.Write(table);
            if (items.Count == 0)
            {
                console.WriteLine("no schedules: publish a version with a schedule.cron trigger");
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary><c>pause</c>, <c>resume</c> or <c>run</c> one schedule, named by project, workflow, node and stage.</summary>
    private static Command Steer(string action, string description, string done)
    {
        var o = new ServerOptions();
        var project = Project();
        var workflow = new Option<string>("--workflow") { Description = "The workflow's name.", Required = true, HelpName = "NAME" };
        var node = new Option<string>("--node") { Description = "The schedule.cron trigger's node id.", Required = true, HelpName = "ID" };
        var stage = new Option<string>("--stage") { Description = "The stage it is published on.", DefaultValueFactory = _ => "prod", HelpName = "STAGE" };
        var command = new Command(action, description)
        {
            project, workflow, node, stage, o.Server, o.Key, o.Json,
        };
        command.SetAction((parse, cancellationToken) => o.CallAsync(parse, async (api, stdout) =>
        {
            var projectId = await api.ProjectIdAsync(parse.GetValue(project)!, cancellationToken).ConfigureAwait(false);
            var name = parse.GetValue(workflow)!;
            var workflows = await api.ListAllAsync($"api/v1/projects/{projectId}/workflows", cancellationToken).ConfigureAwait(false);
            var found = workflows.FirstOrDefault(w => Wire.Text(w["name"]) == name)
                ?? throw new ApiException(404, $"no workflow '{name}'", $"project '{parse.GetValue(project)}' has no workflow with that name", [], local: true);
            var path = $"api/v1/workflows/{Wire.Text(found["id"])}/schedules/{Uri.EscapeDataString(parse.GetValue(stage)!)}/{Uri.EscapeDataString(parse.GetValue(node)!)}/{action}";
            var answer = await api.SendJsonAsync(HttpMethod.Post, path, null, cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(o.Json))
            {
                await stdout.WriteLineAsync(answer.ToJsonString(Display.Indented)).ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            var what = $"{name}/{parse.GetValue(node)} on {parse.GetValue(stage)}";
            await stdout.WriteLineAsync(answer["executionId"] is JsonValue id
                ? $"{done} {what}: execution {Wire.Text(id)}"
                : $"{done} {what}" + (answer["nextFireAt"] is JsonValue next ? $"; next tick {Wire.Text(next)}" : "")).ConfigureAwait(false);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Markup Next(JsonObject schedule) =>
        schedule["paused"] is JsonValue paused && paused.TryGetValue<bool>(out var isPaused) && isPaused
            ? new Markup("[yellow]paused[/]")
            : new Markup(Markup.Escape(schedule["nextFireAt"] is JsonValue value && value.TryGetValue<DateTimeOffset>(out var at)
                ? at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)
                : "-"));
}
