using System.Text.Json.Nodes;
using Plexus.Engine.Nodes;

namespace Plexus.Engine.Execution;

/// <summary>How to start one run of a compiled workflow.</summary>
public sealed record RunRequest
{
    public string ExecutionId { get; init; } = Guid.NewGuid().ToString("n");
    public string Stage { get; init; } = "dev";
    public string? CorrelationId { get; init; }

    /// <summary>The trigger node that starts the run; null picks the first trigger (a <c>trigger.manual</c> before others).</summary>
    public string? TriggerNodeId { get; init; }

    /// <summary>What the trigger receives: a manual input, the request of an <c>http.trigger</c>, a blueprint's input.</summary>
    public JsonNode? Input { get; init; }

    /// <summary>
    /// Runs only the part of the workflow reachable from this node (the editor's "run from here"). What it reads from
    /// upstream comes from <see cref="KnownOutputs"/>. It may not be inside a loop body (see <see cref="ExecutionPlan.CanStartAt"/>).
    /// </summary>
    public string? StartAt { get; init; }

    /// <summary>Outputs of nodes that do not run again in a <see cref="StartAt"/> run: from pinned data or an earlier execution.</summary>
    public IReadOnlyDictionary<string, JsonNode?> KnownOutputs { get; init; } = new Dictionary<string, JsonNode?>();

    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Secrets { get; init; } = new Dictionary<string, string>();

    /// <summary>Pinned nodes emit their pinned value instead of running (editor runs, <c>plexus run --use-pinned</c>).</summary>
    public bool UsePinned { get; init; }

    /// <summary>Answers for resume-waits known up front (<c>plexus run --resume NODE=JSON</c>).</summary>
    public IReadOnlyDictionary<string, JsonNode?> ResumeAnswers { get; init; } = new Dictionary<string, JsonNode?>();

    /// <summary>When true, duration waits are slept through in this process; else the run ends <c>waiting</c> with a timer.</summary>
    public bool WaitInline { get; init; } = true;

    /// <summary>
    /// With <see cref="WaitInline"/> false, duration waits due within this long are still slept through (a run that
    /// pauses a few seconds keeps its worker rather than being saved and picked up again); longer ones end the run
    /// <c>waiting</c> with a timer. Taken from the request, also when a saved run is resumed.
    /// </summary>
    public TimeSpan MaxInlineWait { get; init; }

    public IExecutionEventSink? Events { get; init; }

    /// <summary>
    /// Called once, with the run's first response, as soon as it is decided: an HTTP caller can be answered then while
    /// the run goes on. Called on the run's thread; it must not block.
    /// </summary>
    public Action<HttpResponseData>? OnResponse { get; init; }

    /// <summary>The masking to use; a called blueprint shares its caller's (see <see cref="Nodes.BlueprintCall"/>). Null: the run's own.</summary>
    public Redactor? Redactor { get; init; }
}
