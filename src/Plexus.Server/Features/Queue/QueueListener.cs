using Microsoft.Extensions.Options;
using Plexus.Server.Infrastructure;

namespace Plexus.Server.Features.Queue;

/// <summary>
/// On PostgreSQL, wakes this replica's workers and outbox dispatcher when another replica queued something
/// (<c>LISTEN plexus_queue</c>). Reconnects after a lost connection, and then wakes both, as notifications may have
/// been missed meanwhile.
/// </summary>
public sealed partial class QueueListener(QueueSignal signal, IOptions<DatabaseOptions> database, ILogger<QueueListener> logger) : BackgroundService
{
    private readonly string _connectionString = database.Value.EffectiveConnectionString;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Woken on every (re)connection too: work queued while not listening was not announced.
            await PostgresListen.RunAsync(_connectionString, QueueStore.Channel, _ => WakeAll(), _ => WakeAll(),
                exception => LogListenFailed(logger, exception), stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private void WakeAll()
    {
        signal.Runs.Set();
        signal.Outbox.Set();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening for queued work failed; retrying")]
    private static partial void LogListenFailed(ILogger logger, Exception exception);
}
