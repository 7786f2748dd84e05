using System.Text.Json.Nodes;
using Plexus.Engine.Execution;
using Plexus.Engine.Validation;
using Plexus.Engine.Workflows;
using Plexus.Persistence.Model;

namespace Plexus.Server.Features.Executions;

/// <summary>What to run: a workflow's draft or one of its versions, on a stage of its project.</summary>
public sealed record RunStart
{
    public required Workflow Workflow { get; init; }

    /// <summary>The document to run: the draft (<see cref="Version"/> null) or the version's.</summary>
    public required WorkflowDocument Document { get; init; }

    /// <summary>The version run, or null for the draft (compiled plans are then keyed by <c>Workflow.DraftRevision</c>).</summary>
    public int? Version { get; init; }

    public string Stage { get; init; } = "dev";
    public JsonNode? Input { get; init; }

    /// <summary>The trigger node that starts the run; null picks the first trigger (a <c>trigger.manual</c> before others).</summary>
    public string? TriggerNodeId { get; init; }

    /// <summary>Pinned nodes emit their pinned value instead of running (editor runs).</summary>
    public bool UsePinned { get; init; }

    /// <summary>Pinned data for this run in place of the document's own (implies <see cref="UsePinned"/>).</summary>
    public JsonObject? Pinned { get; init; }

    /// <summary>
    /// Runs only the part reachable from this node (the editor's "run from here"); what it reads from upstream comes
    /// from <see cref="KnownOutputs"/>. A node inside a loop body is refused (<see cref="ExecutionOutcomeKind.Invalid"/>).
    /// </summary>
    public string? FromNode { get; init; }

    /// <summary>For a <see cref="FromNode"/> run: outputs of the nodes upstream, by node id (pinned data, an earlier execution's).</summary>
    public IReadOnlyDictionary<string, JsonNode?>? KnownOutputs { get; init; }

    public string? CorrelationId { get; init; }

    /// <summary>The id to give the execution; null makes a new (time-ordered) one.</summary>
    public Guid? ExecutionId { get; init; }

    /// <summary>When true, duration waits are slept through in this process; else the run ends <c>waiting</c> with a timer.</summary>
    public bool WaitInline { get; init; } = true;

    /// <summary>With <see cref="WaitInline"/> false: waits due within this long are slept through all the same.</summary>
    public TimeSpan MaxInlineWait { get; init; }

    public IExecutionEventSink? Events { get; init; }

    /// <summary>
    /// Whether the run's events go to the live-events hub (runs from the API and the editor, routes on dev). Production
    /// route runs are not live: an event per node per request would cost more than the run.
    /// </summary>
    public bool Live { get; init; }

    /// <summary>Called with the run's first response as soon as it is decided (see <see cref="RunRequest.OnResponse"/>).</summary>
    public Action<Plexus.Engine.Nodes.HttpResponseData>? OnResponse { get; init; }

    /// <summary>
    /// Whether the execution is written as running before the run is under way, so that its id can be read back at once
    /// (a 202's status URL). When false, a run that ends quickly is written once, when it ends; one still going after
    /// <see cref="ExecutionOptions.LateStartDelay"/> is then written as running. Either way only when the policy lists
    /// running executions.
    /// </summary>
    public bool RecordStartAtOnce { get; init; } = true;

    /// <summary>The stage's environment and secrets when the caller holds them already (the router does); null reads them.</summary>
    public StageValues? Values { get; init; }

    /// <summary>
    /// For a run from the durable queue: its item, held by this replica. The execution's row exists already, and the
    /// run's end deletes the item (or turns it into a timer's resume, or queues a retry) in the same transaction.
    /// </summary>
    public QueueTicket? Queued { get; init; }
}

/// <summary>A queue item this replica holds: the work it carries (a retry copies it) and who holds the lease.</summary>
public sealed record QueueTicket(Plexus.Server.Features.Queue.QueuedWork Work, string Owner);

public enum ExecutionOutcomeKind
{
    /// <summary>The run ended or is waiting: see <see cref="ExecutionOutcome.Result"/>.</summary>
    Ran,

    /// <summary>The run was started in the background: see <see cref="ExecutionOutcome.Completion"/>.</summary>
    Started,

    /// <summary>The workflow did not compile (422): see <see cref="ExecutionOutcome.Problems"/>.</summary>
    Invalid,

    /// <summary>No such execution, wait, token or stage (404).</summary>
    NotFound,

    /// <summary>The execution is not in a state for this (409): a used resume token, a run that already ended.</summary>
    Conflict,

    /// <summary>The run was put in the durable queue; a worker of some replica starts it.</summary>
    Queued,

    /// <summary>The queue is full (503 with <c>Retry-After</c>): see <see cref="ExecutionOutcome.RetryAfter"/>.</summary>
    QueueFull,
}

/// <summary>What asking the runner came to. Expected failures are values of this, never exceptions.</summary>
public sealed record ExecutionOutcome(ExecutionOutcomeKind Kind, Guid ExecutionId)
{
    public ExecutionResult? Result { get; init; }
    public IReadOnlyList<Problem> Problems { get; init; } = [];

    /// <summary>Why it was not found or conflicted, for the problem's detail.</summary>
    public string? Detail { get; init; }

    /// <summary>For <see cref="ExecutionOutcomeKind.Started"/>: the outcome once the run ends or waits.</summary>
    public Task<ExecutionOutcome>? Completion { get; init; }

    /// <summary>For <see cref="ExecutionOutcomeKind.QueueFull"/>: when to try again.</summary>
    public TimeSpan RetryAfter { get; init; }

    public static ExecutionOutcome NotFound(string detail, Guid executionId = default) =>
        new(ExecutionOutcomeKind.NotFound, executionId) { Detail = detail };

    public static ExecutionOutcome Conflict(Guid executionId, string detail) =>
        new(ExecutionOutcomeKind.Conflict, executionId) { Detail = detail };
}
