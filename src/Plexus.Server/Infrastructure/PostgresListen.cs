using Npgsql;

namespace Plexus.Server.Infrastructure;

/// <summary>
/// <c>NOTIFY</c>, and a <c>LISTEN</c> on a PostgreSQL channel kept until stopped: reconnects a second after a lost connection, and says
/// each time it is listening again, since notifications sent meanwhile are lost (the caller then catches up).
/// </summary>
internal static class PostgresListen
{
    /// <summary>Sends <paramref name="payload"/> to every connection that listens on <paramref name="channel"/> (its own connection, opened and closed).</summary>
    public static async Task NotifyAsync(string connectionString, string channel, string payload, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var notify = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", connection);
        notify.Parameters.AddWithValue("channel", channel);
        notify.Parameters.AddWithValue("payload", payload);
        await notify.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <param name="listening">Called on every (re)connection; its argument is true after a lost connection.</param>
    /// <param name="failed">Called with why the connection was lost, before retrying.</param>
    public static async Task RunAsync(string connectionString, string channel, Action<string> received, Action<bool> listening,
        Action<Exception> failed, CancellationToken stoppingToken)
    {
        var reconnect = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(stoppingToken).ConfigureAwait(false);
                connection.Notification += (_, e) => received(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken).ConfigureAwait(false);
                }

                listening(reconnect);
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException or IOException)
            {
                failed(exception);
                reconnect = true;
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(false);
            }
        }
    }
}
