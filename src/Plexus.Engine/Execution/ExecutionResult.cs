using System.Text.Json.Nodes;
using Plexus.Engine.Nodes;

namespace Plexus.Engine.Execution;

/// <summary>What a run came to. <see cref="Record"/> is the redacted, truncated form to store or show.</summary>
public sealed class ExecutionResult
{
    private readonly Func<ExecutionRecord> _record;
    private ExecutionRecord? _made;

    internal ExecutionResult(string status, JsonNode? result, HttpResponseData? response, ExecutionError? error,
        IReadOnlyList<PendingWait> waits, Func<ExecutionRecord> record, Run? suspended)
    {
        Status = status;
        Result = result;
        Response = response;
        Error = error;
        Waits = waits;
        _record = record;
        Suspended = suspended;
    }

    public string Status { get; }

    /// <summary>The value of the first <c>flow.return</c> that ran, else null.</summary>
    public JsonNode? Result { get; }

    /// <summary>What the first <c>http.response</c> sent, else null.</summary>
    public HttpResponseData? Response { get; }

    public ExecutionError? Error { get; }

    public IReadOnlyList<PendingWait> Waits { get; }

    public ExecutionRecord Record => _made ??= _record();

    internal Run? Suspended { get; }

    /// <summary>Whether the run can be resumed.</summary>
    public bool IsWaiting => Suspended is not null;

    /// <summary>The waiting run as JSON, to resume later with <see cref="WorkflowExecutor.ResumeAsync(ExecutionPlan, string, RunRequest, string, JsonNode?, CancellationToken)"/>.</summary>
    public string SaveState() => Suspended?.Save() ?? throw new InvalidOperationException($"only a waiting run can be saved; this one is {Status}");
}
