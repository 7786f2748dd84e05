using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Plexus.Engine.Execution;
using Plexus.Engine.Nodes;

namespace Plexus.Cli;

/// <summary>
/// Runs <c>flow.call</c> blueprints from files: <c>NAME.json</c> beside the workflow being run, with the same
/// executor, secrets and environment as the caller.
/// </summary>
internal sealed class FileBlueprintRunner(EngineHost engine, string directory, RunEnvironment environment) : IBlueprintRunner
{
    /// <summary>How deep calls may nest; deeper is almost surely a blueprint calling itself.</summary>
    public const int MaxDepth = 16;

    private readonly ConcurrentDictionary<string, int> _depthByExecution = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<LoadedWorkflow>> _loaded = new(StringComparer.Ordinal);

    public async ValueTask<BlueprintOutcome> RunAsync(string name, JsonNode? input, BlueprintCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var caller = call.Caller;
        if (name.Length == 0 || name.IndexOfAny(['/', '\\']) >= 0 || name is "." or "..")
        {
            return Failed($"blueprint name '{name}' must be a plain name; the CLI looks for NAME.json beside the workflow file");
        }

        var depth = _depthByExecution.GetValueOrDefault(caller.Id) + 1;
        if (depth > MaxDepth)
        {
            return Failed($"blueprint '{name}' not run: calls nest deeper than {MaxDepth} levels (does a blueprint call itself?)");
        }

        var path = Path.Combine(directory, name + ".json");
        var loaded = _loaded.GetOrAdd(name, _ => new Lazy<LoadedWorkflow>(() => WorkflowLoader.Load(path, engine.Compiler))).Value;
        if (loaded.Plan is not { } plan)
        {
            return Failed(loaded.Failure is not null
                ? $"blueprint '{name}' not found: {loaded.Failure}"
                : $"blueprint '{name}' ({path}) is not a valid workflow: {string.Join("; ", loaded.Problems)}");
        }

        var request = new RunRequest
        {
            Stage = caller.Stage,
            CorrelationId = caller.CorrelationId ?? caller.Id,
            Input = input,
            Env = environment.Env,
            Secrets = environment.Secrets,
            Events = environment.Trace?.Nested(name),
            Redactor = call.Redactor,
        };
        _depthByExecution[request.ExecutionId] = depth;
        try
        {
            var result = await engine.Executor.RunAsync(plan, request, cancellationToken).ConfigureAwait(false);
            return BlueprintOutcome.Of(name, result);
        }
        finally
        {
            _depthByExecution.TryRemove(request.ExecutionId, out _);
        }
    }

    private static BlueprintOutcome Failed(string error) => new(null, error);
}

/// <summary>What every run of one CLI invocation shares, the called blueprints' runs included.</summary>
internal sealed record RunEnvironment(IReadOnlyDictionary<string, string> Env, IReadOnlyDictionary<string, string> Secrets, TraceSink? Trace);
