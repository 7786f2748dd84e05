using System.Text.Json.Nodes;
using Plexus.Engine.Nodes;

namespace Plexus.Engine.Execution;

/// <summary>
/// Runs compiled workflows. Thread-safe: one instance serves every run of a host.
/// </summary>
/// <remarks>
/// A run advances in waves: every activation that is ready runs (concurrently when there are several,
/// bounded by <see cref="ExecutorOptions.MaxParallelism"/>), then their results are applied one by one
/// in a fixed order. Applying never waits, so the records, the joins and the first response or result
/// depend only on the graph and the data, never on timing.
/// </remarks>
public sealed class WorkflowExecutor(NodeServices services, ExecutorOptions? options = null)
{
    private readonly ExecutorOptions _options = options ?? ExecutorOptions.Default;

    public NodeServices Services => services;

    public Task<ExecutionResult> RunAsync(ExecutionPlan plan, RunRequest request, CancellationToken cancellationToken)
    {
        var run = new Run(plan, request, services, _options);
        return run.StartAsync(cancellationToken);
    }

    /// <summary>Resumes a waiting run: the wait named by node id or resume token gets <paramref name="payload"/> as its output.</summary>
    public Task<ExecutionResult> ResumeAsync(ExecutionResult waiting, string nodeOrToken, JsonNode? payload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(waiting);
        if (waiting.Suspended is not { } run)
        {
            return Task.FromResult(waiting);
        }

        // A run resumes with the services it started with (the same clock, scripts, HTTP client).
        if (!ReferenceEquals(run.Services, services))
        {
            throw new ArgumentException("the run was started by another executor", nameof(waiting));
        }

        return run.ResumeAsync(nodeOrToken, payload, cancellationToken);
    }

    /// <summary>
    /// Resumes a run saved with <see cref="ExecutionResult.SaveState"/>, possibly in another process. The plan must be
    /// compiled from the same workflow version; env, secrets and the event sink come from <paramref name="request"/>.
    /// </summary>
    public Task<ExecutionResult> ResumeAsync(ExecutionPlan plan, string state, RunRequest request, string nodeOrToken, JsonNode? payload,
        CancellationToken cancellationToken) =>
        Run.Load(plan, request, services, _options, state).ResumeAsync(nodeOrToken, payload, cancellationToken);
}
