using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Plexus.Persistence;

/// <summary>
/// Inserts new rows of an entity type without change tracking: on PostgreSQL with one binary COPY, on SQLite with one
/// prepared command reused row after row (in process, so no round trips to save). Values are bound through EF Core's own type mappings and
/// converters, so a row is stored exactly as <c>SaveChanges</c> would store it and reads back through the model.
/// </summary>
/// <remarks>
/// For append-only hot paths (execution records: a few rows per HTTP request), where change tracking and command
/// generation cost several times the insert itself. Database-generated keys are left to the database.
/// </remarks>
public static class RowInserts
{
    /// <summary>Inserts <paramref name="rows"/> on <paramref name="db"/>'s open connection, in its current transaction.</summary>
    public static Task InsertAsync<T>(DbContext db, IReadOnlyCollection<T> rows, CancellationToken cancellationToken) where T : class
    {
        ArgumentNullException.ThrowIfNull(db);
        return RowInserter<T>.For(db).InsertAsync(db, rows, cancellationToken);
    }

    /// <summary>
    /// PostgreSQL: adds the insert of <paramref name="rows"/> to <paramref name="batch"/> (one multi-row statement with
    /// positional parameters), so that it goes to the server in the same round trip as the batch's other statements.
    /// </summary>
    public static void AddTo<T>(DbContext db, DbBatch batch, IReadOnlyCollection<T> rows) where T : class
    {
        ArgumentNullException.ThrowIfNull(db);
        RowInserter<T>.For(db).AddTo(db.Database.GetDbConnection(), batch, rows);
    }
}

/// <summary>The insert statement of one entity type in one model, and how to bind a row to it.</summary>
internal sealed class RowInserter<T> where T : class
{
    private static readonly ConcurrentDictionary<IModel, RowInserter<T>> ByModel = new();
    /// <summary>PostgreSQL takes at most this many parameters in one statement.</summary>
    private const int MaxParameters = 65535;

    private readonly string _sql;
    private readonly string _copy;
    private readonly string _insertInto;
    private readonly Column[] _columns;

    private RowInserter(string sql, string copy, string insertInto, Column[] columns)
    {
        _sql = sql;
        _copy = copy;
        _insertInto = insertInto;
        _columns = columns;
    }

    /// <summary>The inserter for <typeparamref name="T"/> in <paramref name="db"/>'s model (built once per model).</summary>
    public static RowInserter<T> For(DbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        return ByModel.GetOrAdd(db.Model, static (model, sql) => Build(model, sql), db.GetService<ISqlGenerationHelper>());
    }

    private static RowInserter<T> Build(IModel model, ISqlGenerationHelper sql)
    {
        var entity = model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());

        // A key the database generates (an integer identity) is left out; Guid keys are always set by the caller.
        var properties = entity.GetProperties()
            .Where(p => !(p.IsPrimaryKey() && p.ValueGenerated.HasFlag(ValueGenerated.OnAdd) && p.ClrType != typeof(Guid)))
            .ToList();
        var columns = properties.Select((p, i) => new Column(
            "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture),
            p.GetRelationalTypeMapping(),
            p.GetGetter(),
            p.IsNullable)).ToArray();
        var names = string.Join(", ", properties.Select(p => sql.DelimitIdentifier(p.GetColumnName(table)!)));
        var values = string.Join(", ", columns.Select(c => c.Name));
        var target = sql.DelimitIdentifier(table.Name, table.Schema);
        var insertInto = $"INSERT INTO {target} ({names}) VALUES ";
        return new RowInserter<T>($"{insertInto}({values})", $"COPY {target} ({names}) FROM STDIN (FORMAT BINARY)", insertInto, columns);
    }

    public void AddTo(DbConnection connection, DbBatch batch, IReadOnlyCollection<T> rows)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(rows);
        // Makes the parameters (the mappings make them through a command); they then belong to the batch's statements.
        using var factory = connection.CreateCommand();
        var perStatement = MaxParameters / _columns.Length;
        foreach (var chunk in rows.Chunk(perStatement))
        {
            var command = batch.CreateBatchCommand();
            var text = new System.Text.StringBuilder(_insertInto, _insertInto.Length + chunk.Length * _columns.Length * 6);
            var position = 0;
            for (var r = 0; r < chunk.Length; r++)
            {
                text.Append(r == 0 ? "(" : ", (");
                for (var c = 0; c < _columns.Length; c++)
                {
                    text.Append(c == 0 ? "$" : ", $").Append(++position);
                    command.Parameters.Add(_columns[c].Positional(factory, chunk[r]));
                }

                text.Append(')');
            }

            command.CommandText = text.ToString();
            batch.BatchCommands.Add(command);
        }
    }

    public async Task InsertAsync(DbContext db, IReadOnlyCollection<T> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            return;
        }

        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        if (connection is NpgsqlConnection postgres)
        {
            // PostgreSQL: binary COPY, one stream for all rows; no statement is parsed or planned per row.
            await using var import = await postgres.BeginBinaryImportAsync(_copy, cancellationToken).ConfigureAwait(false);
            foreach (var row in rows)
            {
                await import.StartRowAsync(cancellationToken).ConfigureAwait(false);
                foreach (var column in _columns)
                {
                    if (column.ProviderValue(row) is { } value)
                    {
                        await import.WriteAsync(value, column.Mapping.StoreType, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        await import.WriteNullAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            await import.CompleteAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        // One statement, prepared once and bound again for every row (the provider keeps it while the text is unchanged);
        // its parameters are made, typed, for the first row and only take new values after that.
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = _sql;
        var first = true;
        foreach (var row in rows)
        {
            for (var i = 0; i < _columns.Length; i++)
            {
                if (first)
                {
                    insert.Parameters.Add(_columns[i].Parameter(insert, row));
                }
                else
                {
                    insert.Parameters[i].Value = _columns[i].ProviderValue(row) ?? DBNull.Value;
                }
            }

            first = false;
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed record Column(string Name, RelationalTypeMapping Mapping, IClrPropertyGetter Getter, bool Nullable)
    {
        public DbParameter Parameter(DbCommand command, T row) =>
            Mapping.CreateParameter(command, Name, Getter.GetClrValue(row), Nullable);

        /// <summary>A positional (unnamed) parameter with the row's value, made and typed by the mapping as <see cref="Parameter"/> is.</summary>
        public DbParameter Positional(DbCommand factory, T row)
        {
            var parameter = Parameter(factory, row);
            parameter.ParameterName = string.Empty;
            return parameter;
        }

        /// <summary>The row's value as the parameter takes it: converted as the mapping converts (what CreateParameter does).</summary>
        public object? ProviderValue(T row)
        {
            var value = Getter.GetClrValue(row);
            return value is not null && Mapping.Converter is { } converter ? converter.ConvertToProvider(value) : value;
        }
    }
}
