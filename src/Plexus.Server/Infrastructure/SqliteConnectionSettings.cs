using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Plexus.Server.Infrastructure;

/// <summary>
/// Per-connection SQLite settings (SQLite keeps them per connection, not in the file): <c>synchronous=NORMAL</c>, the
/// usual setting in WAL mode. A commit then waits for no fsync; the WAL is synced at checkpoints. A crash of the
/// process loses nothing committed; a power loss or OS crash may lose the last commits, never the file's integrity.
/// </summary>
internal sealed class SqliteConnectionSettings : DbConnectionInterceptor
{
    private const string Pragmas = "PRAGMA synchronous=NORMAL;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var command = connection.CreateCommand();
        await using (command.ConfigureAwait(false))
        {
            command.CommandText = Pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
