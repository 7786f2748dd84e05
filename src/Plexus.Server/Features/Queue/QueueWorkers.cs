using Microsoft.Extensions.Options;
using Plexus.Persistence;
using Plexus.Persistence.Model;
using Plexus.Server.Features.Executions;

namespace Plexus.Server.Features.Queue;

/// <summary>
/// This replica's workers: one loop claims as many due items as there are free workers (in one statement), runs each,
/// and sleeps when there is nothing to do until woken (something was queued here or, on PostgreSQL, on another
/// replica) or until the next item falls due by itself (a timer, a backoff, an expired lease). A second loop renews
/// the leases this replica holds. Stopping the host stops claiming; runs still going are given back to the queue.
/// </summary>
public sealed partial class QueueWorkers(
    ExecutionRunner runner,
    ActiveExecutions active,
    QueueStore store,
    QueueSignal signal,
    QueueReplica replica,
    QueueMetrics metrics,
    IServiceScopeFactory scopes,
    IOptions<QueueOptions> options,
    TimeProvider time,
    ILogger<QueueWorkers> logger) : BackgroundService
{
    private readonly SemaphoreSlim _free = new(options.Value.Concurrency, options.Value.Concurrency);

    /// <summary>
    /// Whether the claim loop sleeps because the last claim found fewer due items than free workers: nothing waits, so
    /// a run queued here may take a free worker at once without passing anyone (see <see cref="TryReserve"/>).
    /// </summary>
    private volatile bool _caughtUp;

    /// <summary>
    /// Takes a free worker for a run this replica is queueing, when nothing else waits: the run is written already
    /// leased here and started by <see cref="RunReserved"/> once committed, without a claim's round trip and wake-up.
    /// </summary>
    public bool TryReserve() => _caughtUp && !active.Stopping && _free.Wait(0);

    /// <summary>Gives back a worker taken by <see cref="TryReserve"/> whose run was not written.</summary>
    public void Unreserve() => _free.Release();

    /// <summary>Runs an item written leased to this replica on the worker <see cref="TryReserve"/> took for it.</summary>
    public void RunReserved(QueuedRunRow item)
    {
        ArgumentNullException.ThrowIfNull(item);
        metrics.Started(item, time.GetUtcNow());
        _ = RunAsync(item, started: true);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var heartbeat = HeartbeatAsync(stoppingToken);
        try
        {
            await ClaimLoopAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }

        await heartbeat.ConfigureAwait(false);
    }

    private async Task ClaimLoopAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            await _free.WaitAsync(stoppingToken).ConfigureAwait(false);
            _caughtUp = false;
            var slots = 1 + DrainFree();
            QueueClaim claim;
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
                claim = await store.ClaimAsync(db, replica.Id, slots, time.GetUtcNow(), settings.LeaseDuration, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // The database is away: try again shortly rather than end the loop.
                Log.ClaimFailed(logger, exception);
                _free.Release(slots);
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken).ConfigureAwait(false);
                continue;
            }

            var claimed = claim.Items;
            foreach (var item in claimed)
            {
                replica.Hold(item.Id);
                metrics.Started(item, time.GetUtcNow());
                _ = RunAsync(item, claim.Started.Contains(item.Id));
            }

            if (claimed.Count < slots)
            {
                _free.Release(slots - claimed.Count);
                // Nothing more is due now: sleep until woken, or until the next item falls due by itself.
                var sleep = settings.IdleCheck;
                if (claim.NextDue is { } due)
                {
                    var untilDue = due - time.GetUtcNow() + TimeSpan.FromMilliseconds(5);
                    sleep = untilDue < TimeSpan.Zero ? TimeSpan.Zero : untilDue < sleep ? untilDue : sleep;
                }

                if (sleep > TimeSpan.Zero)
                {
                    _caughtUp = true;
                    await signal.Runs.WaitAsync(sleep, time, stoppingToken).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>Takes every further free worker now (their count), without waiting.</summary>
    private int DrainFree()
    {
        var taken = 0;
        while (_free.Wait(0))
        {
            taken++;
        }

        return taken;
    }

    private async Task RunAsync(QueuedRunRow item, bool started)
    {
        await Task.Yield();
        try
        {
            // Not the host's stopping token: a stop cancels runs through ActiveExecutions, which gives them back to the queue.
            await runner.RunQueuedAsync(item, started, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // Broken infrastructure (the database went away): the item keeps its lease, which expires, and is claimed again.
            Log.RunFailed(logger, exception, item.Id);
        }
        finally
        {
            replica.Drop(item.Id);
            active.Forget(item.Id);
            // No wake-up call: a claim loop short of workers waits on this release, and one that sleeps caught up is
            // woken by whatever is queued next (a free worker alone is no reason to claim).
            _free.Release();
        }
    }

    private async Task HeartbeatAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        using var timer = new PeriodicTimer(settings.HeartbeatInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                if (replica.Held is not { Count: > 0 } held)
                {
                    continue;
                }

                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
                    await store.RenewAsync(db, replica.Id, held, time.GetUtcNow() + settings.LeaseDuration, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    Log.HeartbeatFailed(logger, exception);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    public override void Dispose()
    {
        _free.Dispose();
        base.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Claiming queued runs failed; trying again")]
        public static partial void ClaimFailed(ILogger logger, Exception exception);

        [LoggerMessage(Level = LogLevel.Error, Message = "Queued run {ExecutionId} stopped on an error; its lease will expire and it will be claimed again")]
        public static partial void RunFailed(ILogger logger, Exception exception, Guid executionId);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Renewing queue leases failed")]
        public static partial void HeartbeatFailed(ILogger logger, Exception exception);
    }
}
