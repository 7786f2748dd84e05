using System.Text.Json.Nodes;
using Plexus.Engine.Expressions;

namespace Plexus.Engine.Nodes;

/// <summary>Services a node may use. One instance is shared by every run of an executor.</summary>
public sealed class NodeServices
{
    public required TimeProvider Time { get; init; }
    public required ScriptHost Scripts { get; init; }

    /// <summary>For <c>http.request</c>.</summary>
    public required HttpClient Http { get; init; }

    /// <summary>For <c>flow.call</c>: runs a blueprint by name. Null when the host offers none.</summary>
    public IBlueprintRunner? Blueprints { get; init; }
}

/// <summary>Runs a blueprint (a reusable sub-workflow) and gives back its result, or why it failed.</summary>
public interface IBlueprintRunner
{
    ValueTask<BlueprintOutcome> RunAsync(string name, JsonNode? input, BlueprintCall call, CancellationToken cancellationToken);
}

/// <summary>
/// Who calls. A called run masks secrets with the caller's <see cref="Redactor"/> (pass it as
/// <see cref="Execution.RunRequest.Redactor"/>), so a secret the blueprint hands back stays masked in the caller's records.
/// </summary>
public sealed record BlueprintCall(ExecutionInfo Caller, Execution.Redactor Redactor);

public readonly record struct BlueprintOutcome(JsonNode? Result, string? Error)
{
    /// <summary>
    /// What a finished blueprint run means to its caller: its result, or why not. A called blueprint must finish
    /// without waiting; a failure is described from the record, where secrets are masked.
    /// </summary>
    public static BlueprintOutcome Of(string name, Execution.ExecutionResult run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.Status == Execution.ExecutionStatus.Succeeded)
        {
            return new BlueprintOutcome(run.Result, null);
        }

        if (run.Status == Execution.ExecutionStatus.Waiting)
        {
            var waits = string.Join(", ", run.Waits.Select(w => $"'{w.NodeId}'"));
            return new BlueprintOutcome(null, $"blueprint '{name}' is waiting at {waits}; a called blueprint must finish without waiting");
        }

        var error = run.Record.Error;
        var where = error?.Node is { } node ? $" at node '{node}'" : "";
        return new BlueprintOutcome(null, $"blueprint '{name}' {run.Status}{where}: {error?.Message ?? "no error recorded"}");
    }
}
