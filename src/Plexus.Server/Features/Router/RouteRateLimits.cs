using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.RateLimiting;
using Plexus.Server.Infrastructure;
using StackExchange.Redis;

namespace Plexus.Server.Features.Router;

/// <summary>
/// Per-route rate limits: a fixed one-minute window per (route, caller).
/// With Redis (<see cref="RedisOptions"/>) every replica counts in one place: a counter per window, incremented and
/// given an expiry in one round trip, the window being the clock's minute. Without Redis, and while Redis cannot be
/// reached, each replica counts on its own (System.Threading.RateLimiting, the window starting at the first request),
/// so that N replicas allow up to N × the limit.
/// </summary>
public sealed partial class RouteRateLimits(RedisConnection redis, TimeProvider time, ILogger<RouteRateLimits> logger) : IDisposable
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<(Guid Workflow, int? Version, string Trigger, int Permits), PartitionedRateLimiter<string>> _limiters = new();

    /// <summary>Whether the last shared count failed (so that an outage is logged once, not per request).</summary>
    private volatile bool _sharedDown;

    /// <summary>Takes a permit; null when granted, else how long until the window resets.</summary>
    public async ValueTask<TimeSpan?> TryAcquireAsync(RouteTarget target, int permitsPerMinute, string caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (await redis.DatabaseAsync().ConfigureAwait(false) is { } database)
        {
            var (counted, retryAfter) = await TryAcquireSharedAsync(database, target, permitsPerMinute, caller, cancellationToken).ConfigureAwait(false);
            if (counted)
            {
                return retryAfter;
            }
        }

        return TryAcquireHere(target, permitsPerMinute, caller);
    }

    private async Task<(bool Counted, TimeSpan? RetryAfter)> TryAcquireSharedAsync(IDatabase database, RouteTarget target, int permits, string caller,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var window = now.ToUnixTimeSeconds() / (long)Window.TotalSeconds;
        var version = target.Version?.ToString(CultureInfo.InvariantCulture) ?? "draft";
        RedisKey key = string.Create(CultureInfo.InvariantCulture, $"plexus:rate:{target.Workflow.Id:n}:{version}:{target.TriggerNodeId}:{caller}:{window}");
        try
        {
            var batch = database.CreateBatch();
            var count = batch.StringIncrementAsync(key);
            // Two windows long, so that a counter outlives its minute on a replica whose clock runs a little behind.
            var expire = batch.KeyExpireAsync(key, 2 * Window);
            batch.Execute();
            var taken = await count.WaitAsync(cancellationToken).ConfigureAwait(false);
            await expire.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (_sharedDown)
            {
                _sharedDown = false;
                LogSharedBack(logger);
            }

            var end = DateTimeOffset.FromUnixTimeSeconds((window + 1) * (long)Window.TotalSeconds);
            return (true, taken <= permits ? null : end - now);
        }
        catch (Exception exception) when (exception is RedisException or RedisTimeoutException)
        {
            if (!_sharedDown)
            {
                _sharedDown = true;
                LogSharedDown(logger, exception);
            }

            return (false, null);
        }
    }

    private TimeSpan? TryAcquireHere(RouteTarget target, int permitsPerMinute, string caller)
    {
        var limiter = _limiters.GetOrAdd((target.Workflow.Id, target.Version, target.TriggerNodeId, permitsPerMinute), key =>
            PartitionedRateLimiter.Create<string, string>(c => RateLimitPartition.GetFixedWindowLimiter(c, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = key.Permits,
                Window = Window,
                QueueLimit = 0,
                AutoReplenishment = true,
            })));
        using var lease = limiter.AttemptAcquire(caller);
        if (lease.IsAcquired)
        {
            return null;
        }

        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : Window;
    }

    public void Dispose()
    {
        foreach (var limiter in _limiters.Values)
        {
            limiter.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis cannot be reached: route rate limits are counted per replica until it can")]
    private static partial void LogSharedDown(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis is reachable again: route rate limits are counted across replicas")]
    private static partial void LogSharedBack(ILogger logger);
}
