using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Plexus.Cli.Remote;

namespace Plexus.Cli.Commands;

/// <summary>
/// <c>plexus push FILE --server URL --project SLUG [--stage prod]</c>: checks the file, creates the workflow by its name or
/// updates its draft, freezes a version, publishes it to the stage and prints the routes it serves there.
/// </summary>
internal static class PushCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "The workflow file (JSON) to deploy." };
        var server = new Option<string>("--server") { Description = "The Plexus server, e.g. http://127.0.0.1:5080.", Required = true, HelpName = "URL" };
        var project = new Option<string>("--project") { Description = "The project's slug.", Required = true, HelpName = "SLUG" };
        var stage = new Option<string>("--stage") { Description = "The stage to publish to (default prod).", DefaultValueFactory = _ => "prod" };
        var key = new Option<string?>("--key") { Description = "An API key with workflows:read and workflows:write (default: $PLEXUS_API_KEY).", HelpName = "KEY" };
        var json = new Option<bool>("--json") { Description = "Print { workflowId, version, stage, routes } as one JSON object." };
        var command = new Command("push", "Deploy a workflow file: create or update the workflow by name, freeze a version, publish it to a stage. "
            + "Exit 0 when published, 2 on bad input or a refusal (4xx), 1 when the server fails or cannot be reached.")
        {
            file, server, project, stage, key, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stderr = parse.InvocationConfiguration.Error;
            var path = parse.GetValue(file)!;
            using var engine = new EngineHost();
            var loaded = WorkflowLoader.Load(path, engine.Compiler);
            if (loaded.Plan is not { } plan)
            {
                loaded.Report(stderr);
                return ExitCodes.BadInput;
            }

            var arguments = new Arguments();
            using var api = PlexusApi.Connect(parse.GetValue(server), parse.GetValue(key), arguments);
            if (api is null)
            {
                return await Wire.ReportAsync(arguments, stderr).ConfigureAwait(false);
            }

            var document = JsonNode.Parse(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false));
            var push = new Push(api, parse.GetValue(project)!, parse.GetValue(stage)!, plan.Document.Name, document!);
            try
            {
                var pushed = await push.RunAsync(cancellationToken).ConfigureAwait(false);
                var routes = TriggerRequest.Routes(plan)
                    .Select(r => (r.Method, Url: $"{api.BaseUrl}/p/{pushed.Slug}/{pushed.Stage}{r.Template.Text}"))
                    .ToList();
                var stdout = parse.InvocationConfiguration.Output;
                if (parse.GetValue(json))
                {
                    var answer = new JsonObject
                    {
                        ["workflowId"] = pushed.WorkflowId,
                        ["version"] = pushed.Version,
                        ["stage"] = pushed.Stage,
                        ["routes"] = new JsonArray([.. routes.Select(r => (JsonNode)new JsonObject { ["method"] = r.Method, ["url"] = r.Url })]),
                    };
                    await stdout.WriteLineAsync(answer.ToJsonString(Display.Indented)).ConfigureAwait(false);
                }
                else
                {
                    var how = pushed.Created ? "created" : "updated";
                    await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"pushed {plan.Document.Name} ({how}, workflow {pushed.WorkflowId}): version {pushed.Version} published to {pushed.Slug}/{pushed.Stage}"))
                        .ConfigureAwait(false);
                    foreach (var (method, url) in routes)
                    {
                        await stdout.WriteLineAsync($"  {method,-6} {url}").ConfigureAwait(false);
                    }

                    if (routes.Count == 0)
                    {
                        await stdout.WriteLineAsync("  no routes: the workflow has no http.trigger").ConfigureAwait(false);
                    }
                }

                return ExitCodes.Ok;
            }
            catch (ApiException e)
            {
                await e.ReportAsync(stderr).ConfigureAwait(false);
                return e.ExitCode;
            }
        });
        return command;
    }

    private sealed record Pushed(string WorkflowId, int Version, string Slug, string Stage, bool Created);

    /// <summary>The calls of one push, in order.</summary>
    private sealed class Push(PlexusApi api, string slug, string stage, string name, JsonNode document)
    {
        public async Task<Pushed> RunAsync(CancellationToken cancellationToken)
        {
            var projectId = await api.ProjectIdAsync(slug, cancellationToken).ConfigureAwait(false);
            var workflows = await api.ListAllAsync($"api/v1/projects/{projectId}/workflows", cancellationToken).ConfigureAwait(false);
            var existing = workflows.FirstOrDefault(w => Wire.Text(w["name"]) == name);
            string workflowId;
            if (existing is null)
            {
                var created = await api.SendJsonAsync(HttpMethod.Post, $"api/v1/projects/{projectId}/workflows",
                    new JsonObject { ["name"] = name, ["document"] = document.DeepClone() }, cancellationToken).ConfigureAwait(false);
                workflowId = Wire.Text(created["id"]);
            }
            else
            {
                workflowId = Wire.Text(existing["id"]);
                var (_, etag) = await api.GetWithETagAsync($"api/v1/workflows/{workflowId}/draft", cancellationToken).ConfigureAwait(false);
                await api.SendJsonAsync(HttpMethod.Put, $"api/v1/workflows/{workflowId}/draft", document, cancellationToken, etag ?? "*")
                    .ConfigureAwait(false);
            }

            var version = await api.SendJsonAsync(HttpMethod.Post, $"api/v1/workflows/{workflowId}/versions", null, cancellationToken)
                .ConfigureAwait(false);
            var number = version["version"]!.GetValue<int>();
            await api.SendJsonAsync(HttpMethod.Post, $"api/v1/workflows/{workflowId}/publish",
                new JsonObject { ["stage"] = stage, ["version"] = number }, cancellationToken).ConfigureAwait(false);
            return new Pushed(workflowId, number, slug, stage, existing is null);
        }
    }
}
