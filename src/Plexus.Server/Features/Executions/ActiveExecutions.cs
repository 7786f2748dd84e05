using System.Collections.Concurrent;

namespace Plexus.Server.Features.Executions;

/// <summary>What a run in this process needs to be cancelled and to call blueprints of its project.</summary>
/// <param name="EngineId">The engine's execution id (a top-level run's is its <see cref="Guid"/> as <c>n</c>).</param>
/// <param name="Draft">Whether the run is of a draft: its blueprint calls then run drafts too.</param>
/// <param name="Depth">0 for a run; 1 and more for blueprints it called.</param>
public sealed record ActiveExecution(string EngineId, Guid OrganizationId, Guid ProjectId, string Stage, bool Draft, StageValues Values, int Depth)
{
    /// <summary>Cancels the run; null for a called blueprint (it goes with its caller).</summary>
    public CancellationTokenSource? Cancellation { get; init; }

    /// <summary>Completes when the run has ended and its record is queued.</summary>
    public TaskCompletionSource Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// The runs of this process by engine id: to cancel a run (<c>POST /executions/{id}/cancel</c>), to give a called
/// blueprint its caller's project and stage, and to end every run before the recorder stops.
/// </summary>
public sealed class ActiveExecutions
{
    private readonly ConcurrentDictionary<string, ActiveExecution> _runs = new(StringComparer.Ordinal);

    public void Add(ActiveExecution run)
    {
        ArgumentNullException.ThrowIfNull(run);
        _runs[run.EngineId] = run;
    }

    public void Remove(ActiveExecution run)
    {
        ArgumentNullException.ThrowIfNull(run);
        _runs.TryRemove(new KeyValuePair<string, ActiveExecution>(run.EngineId, run));
        run.Ended.TrySetResult();
    }

    public ActiveExecution? Find(string engineId) => _runs.GetValueOrDefault(engineId);

    public bool IsRunning(Guid executionId) => _runs.ContainsKey(executionId.ToString("n"));

    /// <summary>Asks a run of this process to stop; false when it is not running here.</summary>
    public bool Cancel(Guid executionId)
    {
        if (Find(executionId.ToString("n")) is not { Cancellation: { } cancellation })
        {
            return false;
        }

        try
        {
            cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            return false; // it just ended
        }

        return true;
    }

    /// <summary>Cancels every run and waits until each has queued its record.</summary>
    public async Task CancelAllAsync(CancellationToken cancellationToken)
    {
        var runs = _runs.Values.Where(r => r.Cancellation is not null).ToList();
        foreach (var run in runs)
        {
            try
            {
                await run.Cancellation!.CancelAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                // It just ended.
            }
        }

        await Task.WhenAll(runs.Select(r => r.Ended.Task)).WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>Stops the runs of this process when the host stops; registered after the recorder, so it stops before it.</summary>
internal sealed class ActiveExecutionsShutdown(ActiveExecutions runs) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => runs.CancelAllAsync(cancellationToken);
}
