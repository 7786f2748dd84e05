using System.Diagnostics.Metrics;
using Plexus.Persistence;
using Plexus.Persistence.Model;

namespace Plexus.Server.Features.Queue;

/// <summary>
/// The queue's instruments (meter <c>Plexus.Queue</c>, e.g. for <c>dotnet-counters monitor -n plexus --counters Plexus.Queue</c>):
/// depth and the oldest item's age (read from the database only when a listener collects), runs held here, items
/// claimed, and the wait from due to claimed.
/// </summary>
public sealed class QueueMetrics : IDisposable
{
    public const string MeterName = "Plexus.Queue";
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ReuseFor = TimeSpan.FromSeconds(1);
    private readonly Lock _readGate = new();
    private QueueDepth? _lastRead;
    private long _lastReadAt;

    private readonly Meter _meter;
    private readonly Counter<long> _claimed;
    private readonly Histogram<double> _wait;

    public QueueMetrics(IMeterFactory meters, QueueStore store, QueueReplica replica, IServiceScopeFactory scopes, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _meter = meters.Create(MeterName);
        _claimed = _meter.CreateCounter<long>("plexus.queue.claimed", "{item}", "Queue items claimed by this replica");
        _wait = _meter.CreateHistogram<double>("plexus.queue.wait", "ms", "From an item falling due to a worker claiming it");
        _meter.CreateObservableGauge("plexus.queue.held", () => replica.Held.Count, "{item}", "Queue items whose runs go on in this replica");
        _meter.CreateObservableGauge("plexus.queue.depth", () => Read(store, scopes, time).Waiting, "{item}", "Items due and not claimed");
        _meter.CreateObservableGauge("plexus.queue.oldest_age", () => Read(store, scopes, time).OldestAge.TotalSeconds, "s",
            "How long the item due longest has waited");
    }

    public void Started(QueuedRunRow item, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(item);
        _claimed.Add(1);
        _wait.Record((now - item.AvailableAt).TotalMilliseconds);
    }

    // An observable instrument is read on a collector's thread, synchronously; only when someone listens. The gauges
    // of one collection share a read: a second within ReuseFor answers the first's numbers.
    private QueueDepth Read(QueueStore store, IServiceScopeFactory scopes, TimeProvider time)
    {
        lock (_readGate)
        {
            if (_lastRead is { } last && time.GetElapsedTime(_lastReadAt) < ReuseFor)
            {
                return last;
            }

            using var scope = scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            using var timeout = new CancellationTokenSource(ReadTimeout);
            _lastRead = store.DepthAsync(db, null, time.GetUtcNow(), timeout.Token).GetAwaiter().GetResult();
            _lastReadAt = time.GetTimestamp();
            return _lastRead;
        }
    }

    public void Dispose() => _meter.Dispose();
}
