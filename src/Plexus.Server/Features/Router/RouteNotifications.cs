using System.Globalization;
using Microsoft.Extensions.Options;
using Npgsql;
using Plexus.Server.Infrastructure;

namespace Plexus.Server.Features.Router;

/// <summary>
/// On PostgreSQL, tells the other replicas when this one drops a project's route tables (<c>NOTIFY plexus_routes</c>),
/// and drops the tables another replica names (<c>LISTEN</c>). Payload: <c>{projectId}/{replicaId}</c>; a replica ignores
/// its own. Reconnects after a lost connection (and then drops every table, as notifications may have been missed).
/// </summary>
public sealed partial class RouteNotifications(RouteTables tables, IOptions<DatabaseOptions> database, ILogger<RouteNotifications> logger) : BackgroundService
{
    public const string Channel = "plexus_routes";
    private readonly string _replica = Guid.NewGuid().ToString("n");
    private readonly string _connectionString = database.Value.EffectiveConnectionString;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        tables.Invalidated += Notify;
        return base.StartAsync(cancellationToken);
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        tables.Invalidated -= Notify;
        return base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // After a lost connection every table goes: invalidations may have been missed meanwhile.
            await PostgresListen.RunAsync(_connectionString, Channel, Received, reconnected =>
            {
                if (reconnected)
                {
                    tables.DropAll();
                }
            }, exception => LogListenFailed(logger, exception), stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private void Received(string payload)
    {
        var parts = payload.Split('/');
        if (parts.Length == 2 && parts[1] != _replica && Guid.TryParse(parts[0], out var projectId))
        {
            tables.DropLocal(projectId);
        }
    }

    private void Notify(Guid projectId) => _ = NotifyAsync(projectId);

    private async Task NotifyAsync(Guid projectId)
    {
        try
        {
            await PostgresListen.NotifyAsync(_connectionString, Channel, string.Create(CultureInfo.InvariantCulture, $"{projectId}/{_replica}"),
                CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException or System.IO.IOException)
        {
            LogNotifyFailed(logger, exception, projectId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listening for route invalidations failed; retrying")]
    private static partial void LogListenFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telling other replicas about the routes of project {ProjectId} failed")]
    private static partial void LogNotifyFailed(ILogger logger, Exception exception, Guid projectId);
}
