using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Plexus.Cli.Remote;
using Spectre.Console;

namespace Plexus.Cli.Commands;

/// <summary><c>plexus runs ls</c> and <c>plexus runs show ID</c>: executions on a server.</summary>
internal static class RunsCommand
{
    private const int PreviewChars = 60;

    public static Command Create() => new("runs", "List and show executions on a server.")
    {
        List(),
        Show(),
    };

    private static Command List()
    {
        var o = new ServerOptions();
        var workflow = new Option<string?>("--workflow") { Description = "Only this workflow's executions (its id).", HelpName = "ID" };
        var status = new Option<string?>("--status") { Description = "Only executions with this status: queued, running, waiting, succeeded, failed, cancelled.", HelpName = "S" };
        var limit = new Option<int?>("--limit") { Description = "At most this many, newest first (1..500, default 50).", HelpName = "N" };
        var command = new Command("ls", "List executions, newest first: id, workflow, status, stage, started, duration.")
        {
            o.Server, o.Key, workflow, status, limit, o.Json,
        };
        command.SetAction((parse, cancellationToken) => o.CallAsync(parse, async (api, stdout) =>
        {
            var query = new List<string>();
            Add(query, "workflowId", parse.GetValue(workflow));
            Add(query, "status", parse.GetValue(status));
            Add(query, "limit", parse.GetValue(limit)?.ToString(CultureInfo.InvariantCulture));
            var page = await api.GetAsync("api/v1/executions" + (query.Count == 0 ? "" : "?" + string.Join('&', query)), cancellationToken)
                .ConfigureAwait(false);
            var items = (page["items"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            if (parse.GetValue(o.Json))
            {
                await stdout.WriteLineAsync(page.ToJsonString(Display.Indented)).ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            var names = await WorkflowNamesAsync(api, items, cancellationToken).ConfigureAwait(false);
            var table = new Table().Border(TableBorder.Rounded)
                .AddColumn("id").AddColumn("workflow").AddColumn("status").AddColumn("stage").AddColumn("started")
                .AddColumn(new TableColumn("duration").RightAligned());
            foreach (var item in items)
            {
                var version = item["version"] is JsonValue v ? $" v{v.ToJsonString()}" : "";
                table.AddRow(
                    new Text(Wire.Text(item["id"])),
                    new Text(names.GetValueOrDefault(Wire.Text(item["workflowId"]), Wire.Text(item["workflowId"])) + version),
                    Status(Wire.Text(item["status"])),
                    new Text(Wire.Text(item["stage"])),
                    new Text(Started(item)),
                    new Text(Duration(item)));
            }

            var console = Terminal.For(stdout);
            console.Write(table);
            if (items.Count == 0)
            {
                console.WriteLine("no executions");
            }
            else if (page["next"] is JsonValue)
            {
                console.WriteLine("more: use --limit, or filter with --workflow / --status");
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Show()
    {
        var o = new ServerOptions();
        var id = new Argument<string>("ID") { Description = "The execution's id." };
        var command = new Command("show", "Show one execution with its node runs.")
        {
            id, o.Server, o.Key, o.Json,
        };
        command.SetAction((parse, cancellationToken) => o.CallAsync(parse, async (api, stdout) =>
        {
            var execution = await api.GetAsync($"api/v1/executions/{Uri.EscapeDataString(parse.GetValue(id)!)}", cancellationToken)
                .ConfigureAwait(false);
            if (parse.GetValue(o.Json))
            {
                await stdout.WriteLineAsync(execution.ToJsonString(Display.Indented)).ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            WriteExecution(stdout, execution);
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>The names of the listed executions' workflows, by id; a workflow that cannot be read keeps its id.</summary>
    private static async Task<Dictionary<string, string>> WorkflowNamesAsync(PlexusApi api, List<JsonObject> items, CancellationToken cancellationToken)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var id in items.Select(i => Wire.Text(i["workflowId"])).Distinct(StringComparer.Ordinal))
        {
            try
            {
                var workflow = await api.GetAsync($"api/v1/workflows/{Uri.EscapeDataString(id)}", cancellationToken).ConfigureAwait(false);
                if (workflow["name"] is JsonValue name)
                {
                    names[id] = Wire.Text(name);
                }
            }
            catch (ApiException e) when (e.Status is >= 400 and < 500)
            {
                // deleted since, or not readable with this key: the id is shown
            }
        }

        return names;
    }

    /// <summary>A summary like <c>plexus run</c>'s, then the node runs in the same table.</summary>
    private static void WriteExecution(TextWriter stdout, JsonObject execution)
    {
        var console = Terminal.For(stdout);
        void Line(string label, string value, string style = "default") =>
            console.MarkupLine($"[bold]{label,-9}[/]  [{style}]{Markup.Escape(value)}[/]");

        var status = Wire.Text(execution["status"]);
        var version = execution["version"] is JsonValue v ? $" version {v.ToJsonString()}" : " draft";
        Line("execution", Wire.Text(execution["id"]));
        Line("workflow", Wire.Text(execution["workflowId"]) + version);
        Line("stage", Wire.Text(execution["stage"]));
        Line("status", status, StatusColor(status));
        Line("started", Started(execution));
        Line("duration", Duration(execution));
        Line("result", Display.Json(execution["result"]));
        if (execution["error"] is JsonObject error)
        {
            var where = error["node"] is JsonValue node ? $" at node '{Wire.Text(node)}'" : "";
            Line("error", $"{Wire.Text(error["message"])} ({Wire.Text(error["type"])}){where}", "red");
        }

        console.WriteLine();
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn(new TableColumn("#").RightAligned())
            .AddColumn("node").AddColumn("type").AddColumn("status")
            .AddColumn(new TableColumn("attempts").RightAligned())
            .AddColumn(new TableColumn("duration").RightAligned())
            .AddColumn("output / error");
        foreach (var node in (execution["nodes"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var nodeStatus = Wire.Text(node["status"]);
            var name = Markup.Escape(Wire.Text(node["nodeId"]));
            if (node["scope"] is JsonValue scope)
            {
                name += $" [grey]{Markup.Escape(Wire.Text(scope))}[/]";
            }

            var duration = node["durationMs"] is JsonValue ms && ms.TryGetValue<double>(out var d) && nodeStatus != "skipped" ? Display.Duration(d) : "-";
            table.AddRow(
                new Text(Wire.Text(node["sequence"])),
                new Markup(name),
                new Text(Wire.Text(node["type"])),
                Status(nodeStatus),
                new Text(Wire.Text(node["attempts"])),
                new Text(duration),
                Preview(node, nodeStatus));
        }

        console.Write(table);
    }

    private static Text Preview(JsonObject node, string status) => node switch
    {
        _ when node["error"] is JsonObject error => new Text(Display.Shorten($"error: {Wire.Text(error["message"])}", PreviewChars), new Style(Color.Red)),
        _ when status == "waiting" => new Text("waiting to be resumed", new Style(Color.Yellow)),
        _ when status == "skipped" => new Text(""),
        _ => new Text(Display.Shorten(Display.Json(node["output"]), PreviewChars)),
    };

    private static string Started(JsonObject execution) =>
        execution["startedAt"] is JsonValue value && value.TryGetValue<DateTimeOffset>(out var at)
            ? at.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : "";

    private static string Duration(JsonObject execution) =>
        execution["startedAt"] is JsonValue s && s.TryGetValue<DateTimeOffset>(out var started)
        && execution["endedAt"] is JsonValue e && e.TryGetValue<DateTimeOffset>(out var ended)
            ? Display.Duration((ended - started).TotalMilliseconds)
            : "-";

    private static Markup Status(string status) => new($"[{StatusColor(status)}]{Markup.Escape(status)}[/]");

    private static string StatusColor(string status) => status switch
    {
        "succeeded" => "green",
        "failed" or "cancelled" => "red",
        "waiting" => "yellow",
        _ => "grey",
    };

    private static void Add(List<string> query, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            query.Add($"{name}={Uri.EscapeDataString(value)}");
        }
    }
}
