using System.Collections.Concurrent;
using System.Threading.RateLimiting;

namespace Plexus.Server.Features.Router;

/// <summary>Per-route rate limits: a fixed one-minute window per (route, caller), on System.Threading.RateLimiting (in process).</summary>
public sealed class RouteRateLimits : IDisposable
{
    private readonly ConcurrentDictionary<(Guid Workflow, int? Version, string Trigger, int Permits), PartitionedRateLimiter<string>> _limiters = new();

    /// <summary>Takes a permit; null when granted, else how long until the window resets.</summary>
    public TimeSpan? TryAcquire(RouteTarget target, int permitsPerMinute, string caller)
    {
        ArgumentNullException.ThrowIfNull(target);
        var limiter = _limiters.GetOrAdd((target.Workflow.Id, target.Version, target.TriggerNodeId, permitsPerMinute), key =>
            PartitionedRateLimiter.Create<string, string>(c => RateLimitPartition.GetFixedWindowLimiter(c, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = key.Permits,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            })));
        using var lease = limiter.AttemptAcquire(caller);
        if (lease.IsAcquired)
        {
            return null;
        }

        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
    }

    public void Dispose()
    {
        foreach (var limiter in _limiters.Values)
        {
            limiter.Dispose();
        }
    }
}
