using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Plexus.Engine.Execution;

namespace Plexus.Server.Features.LiveEvents;

/// <summary>
/// The live runs of this process: each sends its events, in order, to its execution's group on
/// <see cref="ExecutionsHub"/> (through the Redis backplane to every replica, when one is configured) and keeps them for
/// clients that join while it runs. A run never waits for its watchers: events are queued and sent by a pump.
/// </summary>
public sealed partial class LiveExecutions(IHubContext<ExecutionsHub> hub, ILogger<LiveExecutions> logger)
{
    /// <summary>Events kept per run for late joiners; a longer run is caught up from its stored record instead.</summary>
    public const int KeptEvents = 2_000;

    private readonly ConcurrentDictionary<Guid, LiveRun> _runs = new();

    /// <summary>The sink of a run that starts now; <see cref="Close"/> it when the run has ended or waits.</summary>
    public IExecutionEventSink Open(Guid executionId)
    {
        var run = new LiveRun(executionId);
        _runs[executionId] = run;
        _ = PumpAsync(run);
        return run;
    }

    /// <summary>No more events come from the run; what is queued is still sent.</summary>
    public void Close(Guid executionId)
    {
        if (_runs.TryGetValue(executionId, out var run))
        {
            run.Complete();
        }
    }

    /// <summary>The events a run of this process has published so far, or null when it does not run here.</summary>
    public IReadOnlyList<ExecutionEvent>? SoFar(Guid executionId) => _runs.TryGetValue(executionId, out var run) ? run.Snapshot() : null;

    private async Task PumpAsync(LiveRun run)
    {
        var group = ExecutionsHub.Group(run.ExecutionId);
        try
        {
            await foreach (var executionEvent in run.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                await hub.Clients.Group(group).SendAsync(ExecutionsHub.EventMethod, executionEvent).ConfigureAwait(false);
            }
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // A broken backplane must not take the run down; watchers catch up from the stored record.
            Log.SendFailed(logger, exception, run.ExecutionId);
        }
        finally
        {
            _runs.TryRemove(new KeyValuePair<Guid, LiveRun>(run.ExecutionId, run));
        }
    }

    private sealed class LiveRun(Guid executionId) : IExecutionEventSink
    {
        private readonly Channel<ExecutionEvent> _queue = Channel.CreateUnbounded<ExecutionEvent>(new UnboundedChannelOptions { SingleReader = true });
        private readonly List<ExecutionEvent> _kept = [];

        public Guid ExecutionId { get; } = executionId;
        public ChannelReader<ExecutionEvent> Reader => _queue.Reader;

        public void Publish(ExecutionEvent executionEvent)
        {
            lock (_kept)
            {
                if (_kept.Count < KeptEvents)
                {
                    _kept.Add(executionEvent);
                }
            }

            _queue.Writer.TryWrite(executionEvent);
        }

        public void Complete() => _queue.Writer.TryComplete();

        public IReadOnlyList<ExecutionEvent> Snapshot()
        {
            lock (_kept)
            {
                return [.. _kept];
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Live events of execution {ExecutionId} could not be sent")]
        public static partial void SendFailed(ILogger logger, Exception exception, Guid executionId);
    }
}
