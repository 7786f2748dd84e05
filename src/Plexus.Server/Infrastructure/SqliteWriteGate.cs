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
/// transaction commits, rolls back or fails, when the statement is done, when the connection closes, or, for a
/// transaction disposed without commit or rollback on a connection that stays open, when a waiting writer's check finds
/// it ended. Reads never take a turn: in WAL mode they do not wait for writers.
/// </remarks>
internal sealed partial class SqliteWriteGate(TimeProvider time, ILogger<SqliteWriteGate> logger) : IDbTransactionInterceptor, IDbCommandInterceptor,
    IDbConnectionInterceptor, IDisposable
{
    /// <summary>As long as SQLite itself would wait (<c>Default Timeout</c>); past it the writer goes on and SQLite decides.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);

    /// <summary>While writers wait, how often the turns are checked for a transaction that ended unseen (see <see cref="GiveBackEnded"/>).</summary>
    private static readonly TimeSpan Recheck = TimeSpan.FromMilliseconds(100);

    private static readonly string[] WriteVerbs = ["INSERT", "UPDATE", "DELETE", "REPLACE"];

    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Connections (EF's connection ids) holding the turn.</summary>
    private readonly ConcurrentDictionary<Guid, Turn> _holders = new();

    /// <summary>Writers waiting for the turn now, and whether a check for ended transactions runs for them.</summary>
    private int _waiting;

    private int _checking;

    private enum Hold
    {
        Transaction,
        Statement,
    }

    /// <summary>A connection's turn, for a transaction (and that transaction, once begun) or for a single statement.</summary>
    private sealed class Turn(Hold hold)
    {
        public Hold Hold { get; } = hold;

        private DbTransaction? _transaction;

        /// <summary>Set on the thread that began it, read by the check for ended transactions.</summary>
        public DbTransaction? Transaction
        {
            get => Volatile.Read(ref _transaction);
            set => Volatile.Write(ref _transaction, value);
        }

        /// <summary>SQLite's transaction lets go of its connection when it commits, rolls back or is disposed.</summary>
        public bool Ended => Transaction is { Connection: null };
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

    public DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        ArgumentNullException.ThrowIfNull(eventData);
        if (_holders.TryGetValue(eventData.ConnectionId, out var turn) && turn.Hold == Hold.Transaction)
        {
            turn.Transaction = result;
        }

        return result;
    }

    public ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result,
        CancellationToken cancellationToken = default) => ValueTask.FromResult(TransactionStarted(connection, eventData, result));

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

        var turn = _gate.Wait(0);
        if (!turn)
        {
            StartWaiting();
            try
            {
                turn = _gate.Wait(MaxWait);
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }
        }

        Entered(connection, hold, turn);
    }

    private async ValueTask EnterAsync(Guid connection, Hold hold, CancellationToken cancellationToken)
    {
        if (_holders.ContainsKey(connection))
        {
            return;
        }

        var turn = _gate.Wait(0, CancellationToken.None);
        if (!turn)
        {
            StartWaiting();
            try
            {
                turn = await _gate.WaitAsync(MaxWait, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }
        }

        Entered(connection, hold, turn);
    }

    private void Entered(Guid connection, Hold hold, bool turn)
    {
        if (turn)
        {
            _holders[connection] = new Turn(hold);
        }
        else
        {
            Log.WaitedTooLong(logger, MaxWait.TotalSeconds);
        }
    }

    /// <summary>
    /// Counts a waiting writer and makes sure the turns are checked while anyone waits. The waiter itself stays in the
    /// semaphore's line (first come, first served): a waiter that left it to check would lose its place.
    /// </summary>
    private void StartWaiting()
    {
        Interlocked.Increment(ref _waiting);
        if (Interlocked.CompareExchange(ref _checking, 1, 0) == 0)
        {
            _ = CheckWhileWaitingAsync();
        }
    }

    private async Task CheckWhileWaitingAsync()
    {
        do
        {
            while (Volatile.Read(ref _waiting) > 0)
            {
                await Task.Delay(Recheck, time).ConfigureAwait(false);
                GiveBackEnded();
            }

            Volatile.Write(ref _checking, 0);
            // A writer that began waiting after the last look found the check still running and started none.
        }
        while (Volatile.Read(ref _waiting) > 0 && Interlocked.CompareExchange(ref _checking, 1, 0) == 0);
    }

    /// <summary>
    /// Gives back the turns of transactions that ended without an event here: EF reports no rollback for a transaction
    /// disposed uncommitted, and when its connection stays open (opened by the caller, or kept by the context pool) no
    /// close ends the turn either. Every other writer then waited <see cref="MaxWait"/>.
    /// </summary>
    private void GiveBackEnded()
    {
        foreach (var (connection, turn) in _holders)
        {
            if (turn.Ended && _holders.TryRemove(KeyValuePair.Create(connection, turn)))
            {
                _gate.Release();
                Log.EndedUnseen(logger);
            }
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
        if (_holders.TryGetValue(connection, out var turn) && (only is null || turn.Hold == only)
            && _holders.TryRemove(KeyValuePair.Create(connection, turn)))
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "A SQLite write waited {Seconds} s for its turn; it goes on and SQLite decides")]
        public static partial void WaitedTooLong(ILogger logger, double seconds);

        [LoggerMessage(Level = LogLevel.Debug, Message = "A SQLite write turn was given back: its transaction ended without commit or rollback")]
        public static partial void EndedUnseen(ILogger logger);
    }
}
