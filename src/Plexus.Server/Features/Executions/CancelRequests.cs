using Microsoft.Extensions.Options;
using Plexus.Server.Features.Queue;
using Plexus.Server.Infrastructure;

namespace Plexus.Server.Features.Executions;

/// <summary>
/// Cancelling a run that another replica is running. On PostgreSQL the request goes to every replica
/// (<c>NOTIFY plexus_cancel</c>, the execution id as payload) and the one running the run stops it, as if it had been
/// cancelled there. On SQLite one process runs everything: there is no other replica to ask.
/// </summary>
/// <remarks>
/// A request sent while a replica's listening connection is lost does not reach it; whoever asked sees the run still
/// running and can ask again.
/// </remarks>
public sealed partial class CancelRequests(ActiveExecutions active, QueueReplica replica, IOptions<DatabaseOptions> database, ILogger<CancelRequests> logger)
    : BackgroundService
{
    public const string Channel = "plexus_cancel";

    private readonly bool _postgres = database.Value.IsPostgres;
    private readonly string _connectionString = database.Value.EffectiveConnectionString;

    /// <summary>Whether there can be other replicas to ask (PostgreSQL).</summary>
    public bool CanAskOthers => _postgres;

    /// <summary>Asks every replica to cancel the run (see <see cref="CanAskOthers"/>).</summary>
    public Task AskOthersAsync(Guid executionId, CancellationToken cancellationToken) =>
        _postgres
            ? PostgresListen.NotifyAsync(_connectionString, Channel, executionId.ToString("n"), cancellationToken)
            : throw new InvalidOperationException("On SQLite one process runs everything: there is no other replica to ask");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_postgres)
        {
            return;
        }

        try
        {
            await PostgresListen.RunAsync(_connectionString, Channel, Received, _ => { }, exception => LogListenFailed(logger, exception), stoppingToken)
                .ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private void Received(string payload)
    {
        // Every replica hears every request; only the one running the run, or holding it about to start, finds it.
        if (!Guid.TryParse(payload, out var executionId))
        {
            return;
        }

        if (active.Cancel(executionId))
        {
            LogCancelled(logger, executionId);
        }
        else if (replica.Holds(executionId))
        {
            _ = active.CancelWhenStarted(executionId);
            LogCancelled(logger, executionId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Execution {ExecutionId} cancelled at another replica's request")]
    private static partial void LogCancelled(ILogger logger, Guid executionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening for cancel requests failed; retrying")]
    private static partial void LogListenFailed(ILogger logger, Exception exception);
}
