using Microsoft.Extensions.Options;
using Npgsql;
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
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(_connectionString);
                await connection.OpenAsync(stoppingToken).ConfigureAwait(false);
                connection.Notification += (_, _) => WakeAll();
                await using (var listen = new NpgsqlCommand($"LISTEN {QueueStore.Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken).ConfigureAwait(false);
                }

                WakeAll();
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException or System.IO.IOException)
            {
                LogListenFailed(logger, exception);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(false);
            }
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
