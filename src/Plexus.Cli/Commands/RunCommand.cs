using System.CommandLine;
using System.Text.Json.Nodes;
using Plexus.Engine.Execution;

namespace Plexus.Cli.Commands;

/// <summary><c>plexus run FILE</c>: runs a workflow file once and shows its status, result, response and node runs.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var o = new RunOptions();
        var command = new Command("run", "Run a workflow file. Exit 0 when it succeeds or waits, 1 when it fails or is cancelled, 2 on bad input.")
        {
            o.File, o.Input, o.Request, o.Header, o.Body, o.Secrets, o.Env, o.Resume, o.UsePinned, o.Json, o.Trace,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(o, parse, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(RunOptions o, ParseResult parse, CancellationToken cancellationToken)
    {
        var file = parse.GetValue(o.File)!;
        var arguments = new Arguments();
        var secrets = arguments.StringMap("--secrets", parse.GetValue(o.Secrets));
        var mask = new SecretMask(secrets.Values);
        var stdout = mask.Wrap(parse.InvocationConfiguration.Output);
        var stderr = mask.Wrap(parse.InvocationConfiguration.Error);
        try
        {
            return await RunAsync(o, parse, file, arguments, secrets, mask, stdout, stderr, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // The masking writers hold back an unfinished line until flushed; the writers themselves are not ours to dispose.
            await stdout.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            await stderr.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static async Task<int> RunAsync(RunOptions o, ParseResult parse, string file, Arguments arguments, Dictionary<string, string> secrets,
        SecretMask mask, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var environment = new RunEnvironment(
            arguments.StringMap("--env", parse.GetValue(o.Env)), secrets, parse.GetValue(o.Trace) ? new TraceSink(stderr) : null);

        var directory = Path.GetDirectoryName(Path.GetFullPath(file)) ?? ".";
        using var engine = new EngineHost(host => new FileBlueprintRunner(host, directory, environment));
        var loaded = WorkflowLoader.Load(file, engine.Compiler);
        if (loaded.Plan is not { } plan)
        {
            loaded.Report(stderr);
            return ExitCodes.BadInput;
        }

        var (triggerId, input) = ReadTrigger(o, parse, plan, arguments);
        var answers = ReadResumeAnswers(parse.GetValue(o.Resume) ?? [], plan, arguments);
        if (arguments.Failed)
        {
            foreach (var error in arguments.Errors)
            {
                await stderr.WriteLineAsync($"plexus: {error}").ConfigureAwait(false);
            }

            return ExitCodes.BadInput;
        }

        var request = new RunRequest
        {
            TriggerNodeId = triggerId,
            Input = input,
            Env = environment.Env,
            Secrets = environment.Secrets,
            UsePinned = parse.GetValue(o.UsePinned),
            ResumeAnswers = answers,
            Events = environment.Trace,
        };
        var result = await engine.Executor.RunAsync(plan, request, cancellationToken).ConfigureAwait(false);

        // Only the record is shown: secrets are masked in it.
        var record = result.Record;
        RunReport.WriteLogs(stderr, record);
        if (parse.GetValue(o.Json))
        {
            // Masked value by value, which keeps the JSON valid, and written past the line masking.
            var report = mask.Apply(RunReport.ToJson(record, result.Waits))!;
            await parse.InvocationConfiguration.Output.WriteLineAsync(report.ToJsonString(Display.Indented)).ConfigureAwait(false);
        }
        else
        {
            RunReport.WriteHuman(stdout, file, record, result.Waits, mask);
        }

        return result.Status is ExecutionStatus.Succeeded or ExecutionStatus.Waiting ? ExitCodes.Ok : ExitCodes.RunFailed;
    }

    /// <summary>Which trigger starts the run and what it receives: <c>--request</c> for an HTTP trigger, else <c>--input</c>.</summary>
    private static (string? TriggerId, JsonNode? Input) ReadTrigger(RunOptions o, ParseResult parse, ExecutionPlan plan, Arguments arguments)
    {
        var requestLine = parse.GetValue(o.Request);
        var inputText = parse.GetValue(o.Input);
        var headers = parse.GetValue(o.Header) ?? [];
        var body = parse.GetValue(o.Body);
        if (requestLine is null)
        {
            if (headers.Length > 0 || body is not null)
            {
                arguments.Error("--header and --body describe an HTTP request: use them with --request \"METHOD /path\"");
            }

            if (inputText is not null)
            {
                return arguments.TryJson("--input", inputText, out var input) ? (null, input) : (null, null);
            }

            var routes = TriggerRequest.Routes(plan);
            if (routes.Count > 0 && !plan.Document.Nodes.Any(n => n.Type == "trigger.manual"))
            {
                arguments.Error("this workflow starts from an HTTP request; pass one with --request, e.g. "
                    + string.Join(" or ", routes.Select(r => $"--request \"{r.Method} {r.Template.Text}\"")));
            }

            return (null, null);
        }

        if (inputText is not null)
        {
            arguments.Error("--input is for a manual run and --request for an HTTP trigger: give one of them, not both");
            return (null, null);
        }

        return TriggerRequest.Build(plan, requestLine, headers, body, arguments) is { } built ? built : (null, null);
    }

    /// <summary><c>--resume NODE=JSON</c>: answers for resume-waits of this run.</summary>
    private static Dictionary<string, JsonNode?> ReadResumeAnswers(string[] values, ExecutionPlan plan, Arguments arguments)
    {
        var answers = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        var waits = plan.Document.Nodes.Where(n => n.Type == "flow.wait").Select(n => n.Id).ToList();
        foreach (var value in values)
        {
            var equals = value.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                arguments.Error($"--resume: expected NODE=JSON, like approval={{\"approved\":true}}, not \"{value}\"");
                continue;
            }

            var nodeId = value[..equals];
            var node = plan.Document.Nodes.FirstOrDefault(n => n.Id == nodeId);
            if (node is null || node.Type != "flow.wait")
            {
                var what = node is null ? $"unknown node '{nodeId}'" : $"node '{nodeId}' is a {node.Type}, not a flow.wait";
                var known = waits.Count == 0 ? "this workflow has no flow.wait" : $"waits: {string.Join(", ", waits)}";
                arguments.Error($"--resume: {what}; {known}");
                continue;
            }

            if (arguments.TryJson($"--resume {nodeId}", value[(equals + 1)..], out var payload))
            {
                answers[nodeId] = payload;
            }
        }

        return answers;
    }

    /// <summary>The command's symbols; new ones per command tree, since a symbol belongs to one parent.</summary>
    private sealed class RunOptions
    {
        public Argument<string> File { get; } = new("FILE") { Description = "The workflow file (JSON) to run." };

        public Option<string> Input { get; } = new("--input")
        {
            Description = "Input of the manual trigger: JSON, or @file.json.",
            HelpName = "JSON|@file",
        };

        public Option<string> Request { get; } = new("--request")
        {
            Description = "Run the http.trigger matching this request as if it arrived, e.g. \"POST /hook/42?debug=1\".",
            HelpName = "METHOD /path?query",
        };

        public Option<string[]> Header { get; } = new("--header")
        {
            Description = "A request header for --request (repeatable).",
            HelpName = "Name:value",
        };

        public Option<string> Body { get; } = new("--body")
        {
            Description = "The request body for --request: JSON (else sent as text), or @file.",
            HelpName = "JSON|@file",
        };

        public Option<string> Secrets { get; } = new("--secrets")
        {
            Description = "Secrets as a JSON object of strings, usually @secrets.json; never printed.",
            HelpName = "@file.json",
        };

        public Option<string> Env { get; } = new("--env")
        {
            Description = "Environment variables as a JSON object of strings, usually @env.json.",
            HelpName = "@file.json",
        };

        public Option<string[]> Resume { get; } = new("--resume")
        {
            Description = "Answer the resume-wait of NODE with this JSON payload within the run (repeatable).",
            HelpName = "NODE=JSON",
        };

        public Option<bool> UsePinned { get; } = new("--use-pinned") { Description = "Pinned nodes emit their pinned test data instead of running." };

        public Option<bool> Json { get; } = new("--json") { Description = "Print the run as one JSON object on stdout." };

        public Option<bool> Trace { get; } = new("--trace") { Description = "Print live events as they happen, to stderr." };
    }
}
