using System.Threading.Channels;

namespace Plexus.Server.Features.Queue;

/// <summary>
/// Wakes this replica's queue workers and outbox dispatcher: when this process queued something, or when another
/// replica said so (<c>NOTIFY plexus_queue</c> on PostgreSQL). No one polls in a loop: an idle replica sleeps.
/// </summary>
public sealed class QueueSignal
{
    /// <summary>A run was queued (or a lease may have expired).</summary>
    public Wakeup Runs { get; } = new();

    /// <summary>An outbox message was written.</summary>
    public Wakeup Outbox { get; } = new();
}

/// <summary>A wake-up call that coalesces: many before the sleeper looks count as one.</summary>
public sealed class Wakeup
{
    private readonly Channel<bool> _wakes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
    });

    public void Set() => _wakes.Writer.TryWrite(true);

    /// <summary>Waits for a wake-up, at most <paramref name="timeout"/>; true when woken.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        if (_wakes.Reader.TryRead(out _))
        {
            return true;
        }

        using var expiry = new CancellationTokenSource(timeout, time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, expiry.Token);
        try
        {
            await _wakes.Reader.ReadAsync(either.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
