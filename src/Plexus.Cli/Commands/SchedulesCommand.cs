using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Plexus.Cli.Remote;
using Spectre.Console;

namespace Plexus.Cli.Commands;

/// <summary><c>plexus schedules ls</c>: the schedules of a project's published versions, with their next fire times.</summary>
internal static class SchedulesCommand
{
    public static Command Create() => new("schedules", "List the schedules of a project's published workflows.")
    {
        List(),
    };

    private static Command List()
    {
        var o = new ServerOptions();
        var project = new Option<string>("--project") { Description = "The project's slug.", Required = true, HelpName = "SLUG" };
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

    private static Markup Next(JsonObject schedule) =>
        schedule["paused"] is JsonValue paused && paused.TryGetValue<bool>(out var isPaused) && isPaused
            ? new Markup("[yellow]paused[/]")
            : new Markup(Markup.Escape(schedule["nextFireAt"] is JsonValue value && value.TryGetValue<DateTimeOffset>(out var at)
                ? at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)
                : "-"));
}
