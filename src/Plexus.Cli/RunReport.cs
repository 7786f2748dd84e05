using System.Globalization;
using System.Text.Json.Nodes;
using Plexus.Engine.Execution;
using Spectre.Console;

namespace Plexus.Cli;

/// <summary>
/// Shows a finished (or waiting) run, always from its redacted record so that no secret is printed:
/// as one JSON object (<c>--json</c>) or as a summary and a table of node runs.
/// </summary>
internal static class RunReport
{
    private const int PreviewChars = 60;

    public static JsonObject ToJson(ExecutionRecord record, IReadOnlyList<PendingWait> waits) => new()
    {
        ["execution"] = record.Id,
        ["workflow"] = record.Workflow,
        ["status"] = record.Status,
        ["result"] = Copy(record.Result),
        ["response"] = record.Response is { } response
            ? new JsonObject
            {
                ["status"] = response.Status,
                ["headers"] = new JsonObject(response.Headers.Select(h => KeyValuePair.Create(h.Key, (JsonNode?)h.Value))),
                ["body"] = Copy(response.Body),
                ["cookies"] = new JsonArray([.. response.Cookies.Select(c => (JsonNode?)c.ToSetCookie())]),
            }
            : null,
        ["error"] = Error(record.Error),
        ["waits"] = new JsonArray([.. waits.Select(w => (JsonNode)new JsonObject
        {
            ["node"] = w.NodeId,
            ["token"] = w.Token,
            ["resumeAt"] = w.ResumeAt?.ToString("O", CultureInfo.InvariantCulture),
        })]),
        ["startedAt"] = record.StartedAt.ToString("O", CultureInfo.InvariantCulture),
        ["endedAt"] = record.EndedAt?.ToString("O", CultureInfo.InvariantCulture),
        ["nodes"] = new JsonArray([.. record.Nodes.Select(n => (JsonNode)new JsonObject
        {
            ["sequence"] = n.Sequence,
            ["nodeId"] = n.NodeId,
            ["type"] = n.Type,
            ["status"] = n.Status,
            ["attempts"] = n.Attempts,
            ["durationMs"] = Math.Round(n.DurationMs, 3),
            ["input"] = Copy(n.Input),
            ["output"] = Copy(n.Output),
            ["error"] = Error(n.Error),
            ["port"] = n.Port,
            ["scope"] = n.Scope,
            ["pinned"] = n.Pinned,
            ["inputTruncated"] = n.InputTruncated,
            ["outputTruncated"] = n.OutputTruncated,
            ["logs"] = n.Logs is { } logs ? new JsonArray([.. logs.Select(l => (JsonNode?)l)]) : null,
            ["resumeToken"] = n.ResumeToken,
        })]),
    };

    /// <param name="mask">Applied to every value before the table is laid out, so that masking does not break its columns.</param>
    public static void WriteHuman(TextWriter stdout, string file, ExecutionRecord record, IReadOnlyList<PendingWait> waits, SecretMask mask)
    {
        var console = Terminal.For(stdout);
        void Line(string label, string value, string style = "default") =>
            console.MarkupLine($"[bold]{label,-9}[/]  [{style}]{Markup.Escape(mask.Apply(value))}[/]");

        Line("workflow", $"{record.Workflow} ({file})");
        Line("execution", record.Id);
        Line("status", record.Status, StatusColor(record.Status));
        Line("result", Display.Json(record.Result));
        if (record.Response is { } response)
        {
            // A binary body is summed up: its base64 says nothing to a reader.
            var body = response.Bytes is { } bytes
                ? $"{response.Headers.GetValueOrDefault("content-type")}, {bytes.Length.ToString(CultureInfo.InvariantCulture)} bytes"
                : Display.Json(response.Body);
            Line("response", $"{response.Status} {body}");
            foreach (var cookie in response.Cookies)
            {
                Line("cookie", cookie.ToSetCookie());
            }
        }

        if (record.Error is { } error)
        {
            var where = error.Node is { } node ? $" at node '{node}'" : "";
            Line("error", $"{error.Message} ({error.Type}){where}", "red");
        }

        foreach (var wait in waits.Where(w => w.ResumeAt is null))
        {
            Line("waiting", $"node '{wait.NodeId}' waits to be resumed; resume token {wait.Token}", "yellow");
            Line("", $"answer it in a new run with: plexus run {file} --resume '{wait.NodeId}=<JSON>'");
        }

        console.WriteLine();
        console.Write(NodeTable(record, mask));
    }

    /// <summary>Console lines that nodes logged (<c>code.js</c>'s console.log), to stderr.</summary>
    public static void WriteLogs(TextWriter stderr, ExecutionRecord record)
    {
        foreach (var node in record.Nodes)
        {
            foreach (var line in node.Logs ?? [])
            {
                stderr.WriteLine($"log {node.NodeId} #{node.Sequence}: {line}");
            }
        }
    }

    private static Table NodeTable(ExecutionRecord record, SecretMask mask)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn(new TableColumn("#").RightAligned())
            .AddColumn("node").AddColumn("type").AddColumn("status")
            .AddColumn(new TableColumn("attempts").RightAligned())
            .AddColumn(new TableColumn("duration").RightAligned())
            .AddColumn("output / error");
        foreach (var node in record.Nodes)
        {
            var name = node.Scope is { } scope ? $"{Markup.Escape(node.NodeId)} [grey]{Markup.Escape(scope)}[/]" : Markup.Escape(node.NodeId);
            table.AddRow(
                new Text(node.Sequence.ToString(CultureInfo.InvariantCulture)),
                new Markup(name),
                new Text(node.Type),
                Status(node.Status),
                new Text(node.Attempts.ToString(CultureInfo.InvariantCulture)),
                new Text(node.Status == NodeRunStatus.Skipped ? "-" : Display.Duration(node.DurationMs)),
                Preview(node, mask));
        }

        return table;
    }

    private static Text Preview(NodeRunRecord node, SecretMask mask) => node switch
    {
        { Error: { } error } => new Text(Display.Shorten(mask.Apply($"error: {error.Message}"), PreviewChars), new Style(Color.Red)),
        { ResumeToken: { } token, Status: NodeRunStatus.Waiting } => new Text($"resume token {token}", new Style(Color.Yellow)),
        { Status: NodeRunStatus.Skipped } => new Text(""),
        _ => new Text(Display.Shorten(mask.Apply(Display.Json(node.Output)), PreviewChars)),
    };

    private static Markup Status(string status) => new($"[{StatusColor(status)}]{Markup.Escape(status)}[/]");

    private static string StatusColor(string status) => status switch
    {
        NodeRunStatus.Succeeded => "green",
        NodeRunStatus.Failed or NodeRunStatus.Cancelled => "red",
        NodeRunStatus.Waiting => "yellow",
        _ => "grey",
    };

    private static JsonObject? Error(ExecutionError? error) => error is null ? null : new JsonObject
    {
        ["message"] = error.Message,
        ["type"] = error.Type,
        ["node"] = error.Node,
    };

    private static JsonNode? Copy(JsonNode? value) => value?.DeepClone();
}
