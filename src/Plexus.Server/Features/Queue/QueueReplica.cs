using System.Collections.Concurrent;
using System.Globalization;

namespace Plexus.Server.Features.Queue;

/// <summary>
/// This process as a holder of queue leases. A new id per start, so a restarted replica never renews a dead one's
/// leases; and the items whose runs are going on here, the only ones the heartbeat renews (an item whose run broke
/// off on an error is not kept alive: its lease expires and it is claimed again).
/// </summary>
public sealed class QueueReplica
{
    private readonly ConcurrentDictionary<Guid, byte> _held = new();

    /// <summary>Process id and a random part (at most 64 characters, the column's size); readable in the queue table.</summary>
    public string Id { get; } = string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId}-{Guid.NewGuid():n}");

    public void Hold(Guid item) => _held[item] = 0;

    public void Drop(Guid item) => _held.TryRemove(item, out _);

    /// <summary>Whether this replica holds <paramref name="item"/> (claimed, or started here at once).</summary>
    public bool Holds(Guid item) => _held.ContainsKey(item);

    /// <summary>The items held now (a snapshot).</summary>
    public IReadOnlyList<Guid> Held => [.. _held.Keys];
}
