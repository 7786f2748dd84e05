using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Plexus.Server.Infrastructure;

/// <summary>
/// Queues this process's SQLite writers, first come first served, in front of SQLite's single write lock.
/// </summary>
/// <remarks>
/// SQLite does not queue writers: one that finds the database locked sleeps and tries again (Microsoft.Data.Sqlite every
/// 150 ms, up to <c>Default Timeout</c>). Under load the execution recorder writes batch after batch with no pause
/// between them, so a writer that polls almost never finds the lock free: a publish waited past 30 s and failed with
/// "database is locked". Here every write transaction, and every write statement outside one, first takes a turn on
/// an async gate (waiters are served in order), and SQLite's lock is then free when it asks. A turn ends when the
/// transaction commits, rolls back or fails, when the statement is done, or at the latest when the connection closes
/// (a transaction disposed without either). Reads never take a turn: in WAL mode they do not wait for writers.
/// </remarks>
internal sealed partial class SqliteWriteGate(ILogger<SqliteWriteGate> logger) : IDbTransactionInterceptor, IDbCommandInterceptor, IDbConnectionInterceptor,
    IDisposable
{
    /// <summary>As long as SQLite itself would wait (<c>Default Timeout</c>); past it the writer goes on and SQLite decides.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);

    private static readonly string[] WriteVerbs = ["INSERT", "UPDATE", "DELETE", "REPLACE"];

    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Connections (EF's connection ids) holding the turn, and whether for a transaction or a single statement.</summary>
    private readonly ConcurrentDictionary<Guid, Hold> _holders = new();

    private enum Hold
    {
        Transaction,
        Statement,
    }

    public InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData,
        InterceptionResult<DbTransaction> result)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        Enter(eventData.ConnectionId, Hold.Transaction);
        return result;
    }

    public async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection, TransactionStartingEventData eventData,
        InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        await EnterAsync(eventData.ConnectionId, Hold.Transaction, cancellationToken).ConfigureAwait(false);
        return result;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Leave(eventData, null);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default) =>
        Leave(eventData, null);

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Leave(eventData, null);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default) =>
        Leave(eventData, null);

    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => Leave(eventData, null);

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default) =>
        Leave(eventData, null);

    public InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        EnterForStatement(command, eventData);
        return result;
    }

    public async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        await EnterForStatementAsync(command, eventData, cancellationToken).ConfigureAwait(false);
        return result;
    }

    public InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        EnterForStatement(command, eventData);
        return result;
    }

    public async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        await EnterForStatementAsync(command, eventData, cancellationToken).ConfigureAwait(false);
        return result;
    }

    public InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        EnterForStatement(command, eventData);
        return result;
    }

    public async ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        await EnterForStatementAsync(command, eventData, cancellationToken).ConfigureAwait(false);
        return result;
    }

    public int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        LeaveStatement(eventData);
        return result;
    }

    public ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        LeaveStatement(eventData);
        return ValueTask.FromResult(result);
    }

    public object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result)
    {
        LeaveStatement(eventData);
        return result;
    }

    public ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result,
        CancellationToken cancellationToken = default)
    {
        LeaveStatement(eventData);
        return ValueTask.FromResult(result);
    }

    /// <summary>A write read through a data reader (INSERT ... RETURNING) holds SQLite's lock until its reader is done.</summary>
    public InterceptionResult DataReaderDisposing(DbCommand command, DataReaderDisposingEventData eventData, InterceptionResult result)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        Leave(eventData.ConnectionId, Hold.Statement);
        return result;
    }

    public void CommandFailed(DbCommand command, CommandErrorEventData eventData) => LeaveStatement(eventData);

    public Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        LeaveStatement(eventData);
        return Task.CompletedTask;
    }

    public void CommandCanceled(DbCommand command, CommandEndEventData eventData) => LeaveStatement(eventData);

    public Task CommandCanceledAsync(DbCommand command, CommandEndEventData eventData, CancellationToken cancellationToken = default)
    {
        LeaveStatement(eventData);
        return Task.CompletedTask;
    }

    public void ConnectionClosed(DbConnection connection, ConnectionEndEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        Leave(eventData.ConnectionId, null);
    }

    public Task ConnectionClosedAsync(DbConnection connection, ConnectionEndEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        Leave(eventData.ConnectionId, null);
        return Task.CompletedTask;
    }

    /// <summary>A statement that writes, outside a transaction (inside one, the transaction holds the turn).</summary>
    private bool NeedsTurn(DbCommand command, CommandCorrelatedEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(eventData);
        if (command.Transaction is not null || _holders.ContainsKey(eventData.ConnectionId))
        {
            return false;
        }

        var text = command.CommandText.AsSpan().TrimStart();
        foreach (var verb in WriteVerbs)
        {
            if (text.StartsWith(verb, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private void EnterForStatement(DbCommand command, CommandEventData eventData)
    {
        if (NeedsTurn(command, eventData))
        {
            Enter(eventData.ConnectionId, Hold.Statement);
        }
    }

    private async ValueTask EnterForStatementAsync(DbCommand command, CommandEventData eventData, CancellationToken cancellationToken)
    {
        if (NeedsTurn(command, eventData))
        {
            await EnterAsync(eventData.ConnectionId, Hold.Statement, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Enter(Guid connection, Hold hold)
    {
        if (_holders.ContainsKey(connection))
        {
            return;
        }

        if (_gate.Wait(MaxWait))
        {
            _holders[connection] = hold;
        }
        else
        {
            Log.WaitedTooLong(logger, MaxWait.TotalSeconds);
        }
    }

    private async ValueTask EnterAsync(Guid connection, Hold hold, CancellationToken cancellationToken)
    {
        if (_holders.ContainsKey(connection))
        {
            return;
        }

        if (await _gate.WaitAsync(MaxWait, cancellationToken).ConfigureAwait(false))
        {
            _holders[connection] = hold;
        }
        else
        {
            Log.WaitedTooLong(logger, MaxWait.TotalSeconds);
        }
    }

    private Task Leave(TransactionEventData eventData, Hold? only)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        Leave(eventData.ConnectionId, only);
        return Task.CompletedTask;
    }

    private void LeaveStatement(CommandCorrelatedEventData eventData)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        Leave(eventData.ConnectionId, Hold.Statement);
    }

    /// <param name="only">Leave only a turn held for this; null for any.</param>
    private void Leave(Guid connection, Hold? only)
    {
        if (_holders.TryGetValue(connection, out var held) && (only is null || held == only)
            && _holders.TryRemove(KeyValuePair.Create(connection, held)))
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "A SQLite write waited {Seconds} s for its turn; it goes on and SQLite decides")]
        public static partial void WaitedTooLong(ILogger logger, double seconds);
    }
}
