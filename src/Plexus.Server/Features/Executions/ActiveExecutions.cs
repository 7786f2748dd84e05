using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Plexus.Server.Features.Executions;

/// <summary>What a run in this process needs to be cancelled and to call blueprints of its project.</summary>
/// <param name="EngineId">The engine's execution id (a top-level run's is its <see cref="Guid"/> as <c>n</c>).</param>
/// <param name="Draft">Whether the run is of a draft: its blueprint calls then run drafts too.</param>
/// <param name="Depth">0 for a run; 1 and more for blueprints it called.</param>
public sealed record ActiveExecution(string EngineId, Guid OrganizationId, Guid ProjectId, string Stage, bool Draft, StageValues Values, int Depth)
{
    /// <summary>Cancels the run; null for a called blueprint (it goes with its caller).</summary>
    public CancellationTokenSource? Cancellation { get; init; }

    /// <summary>When the run started, from <see cref="TimeProvider.GetTimestamp"/>.</summary>
    public long StartedTimestamp { get; init; }

    /// <summary>Writes the run as running; set while that is not done yet (see <see cref="ExecutionOptions.LateStartDelay"/>).</summary>
    public Action? RecordLateStart { get; init; }

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

    /// <summary>Runs asked to stop before they started here (a queue item claimed, its run not under way yet): each completes when that run ends.</summary>
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _cancelOnStart = new(StringComparer.Ordinal);

    public void Add(ActiveExecution run)
    {
        ArgumentNullException.ThrowIfNull(run);
        _runs[run.EngineId] = run;
        if (Stopping)
        {
            // Started while the process stops (a queue item claimed just before): it stops at once, and is given back.
            Cancel(run);
        }

        if (_cancelOnStart.TryRemove(run.EngineId, out var asked))
        {
            CancelAsked(run, asked);
        }
    }

    /// <summary>
    /// Cancels a run this process is about to start, as soon as it does. The task completes when that run has ended;
    /// it never does if the run does not start after all (the caller bounds its wait).
    /// </summary>
    public Task CancelWhenStarted(Guid executionId)
    {
        var engineId = executionId.ToString("n");
        var asked = _cancelOnStart.GetOrAdd(engineId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        // It may have started meanwhile.
        if (Find(engineId) is { } started && _cancelOnStart.TryRemove(engineId, out _))
        {
            CancelAsked(started, asked);
        }

        return asked.Task;
    }

    /// <summary>Cancels a run someone asked to stop before it started; <paramref name="asked"/> completes when it has ended.</summary>
    private static void CancelAsked(ActiveExecution run, TaskCompletionSource asked)
    {
        run.Ended.Task.ContinueWith(_ => asked.TrySetResult(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        Cancel(run);
    }

    /// <summary>Forgets a cancellation asked for a run that will not start here after all.</summary>
    public void Forget(Guid executionId) => _cancelOnStart.TryRemove(executionId.ToString("n"), out _);

    public void Remove(ActiveExecution run)
    {
        ArgumentNullException.ThrowIfNull(run);
        _runs.TryRemove(new KeyValuePair<string, ActiveExecution>(run.EngineId, run));
        run.Ended.TrySetResult();
    }

    public ActiveExecution? Find(string engineId) => _runs.GetValueOrDefault(engineId);

    /// <summary>The runs of this process now (a snapshot).</summary>
    public IEnumerable<ActiveExecution> All => _runs.Values;

    public bool IsRunning(Guid executionId) => _runs.ContainsKey(executionId.ToString("n"));

    /// <summary>Asks a run of this process to stop; false when it is not running here.</summary>
    public bool Cancel(Guid executionId) => Find(executionId.ToString("n")) is { } run && Cancel(run);

    private static bool Cancel(ActiveExecution run)
    {
        if (run is not { Cancellation: { } cancellation })
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

    /// <summary>Whether the process is stopping: a queued run cancelled now goes back to the queue rather than ending cancelled.</summary>
    public bool Stopping { get; private set; }

    /// <summary>Cancels every run and waits until each has queued its record.</summary>
    public async Task CancelAllAsync(CancellationToken cancellationToken)
    {
        Stopping = true;
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

/// <summary>Lists runs as running once they have run for <see cref="ExecutionOptions.LateStartDelay"/> (see <see cref="RunStart.RecordStartAtOnce"/>).</summary>
internal sealed class LateStarts(ActiveExecutions runs, IOptions<ExecutionOptions> options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = options.Value.LateStartDelay;
        // Checking twice per delay lists a run at most one and a half delays after it started.
        using var timer = new PeriodicTimer(delay / 2, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                var now = time.GetTimestamp();
                foreach (var run in runs.All)
                {
                    if (run.RecordLateStart is { } record && time.GetElapsedTime(run.StartedTimestamp, now) >= delay)
                    {
                        record();
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}

/// <summary>Stops the runs of this process when the host stops; registered after the recorder, so it stops before it.</summary>
internal sealed class ActiveExecutionsShutdown(ActiveExecutions runs, Queue.QueueReplica replica, TimeProvider time) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await runs.CancelAllAsync(cancellationToken).ConfigureAwait(false);
        // Queue items claimed just before the stop may start after the runs were cancelled (they stop as they start):
        // wait until each has been given back or recorded, so none is left holding its lease until it expires.
        while (replica.Held.Count > 0 && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), time, CancellationToken.None).ConfigureAwait(false);
        }
    }
}
