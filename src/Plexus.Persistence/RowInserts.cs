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
}

/// <summary>The insert statement of one entity type in one model, and how to bind a row to it.</summary>
internal sealed class RowInserter<T> where T : class
{
    private static readonly ConcurrentDictionary<IModel, RowInserter<T>> ByModel = new();
    private readonly string _sql;
    private readonly string _copy;
    private readonly Column[] _columns;

    private RowInserter(string sql, string copy, Column[] columns)
    {
        _sql = sql;
        _copy = copy;
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
        return new RowInserter<T>($"INSERT INTO {target} ({names}) VALUES ({values})", $"COPY {target} ({names}) FROM STDIN (FORMAT BINARY)", columns);
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

        /// <summary>The row's value as the parameter takes it: converted as the mapping converts (what CreateParameter does).</summary>
        public object? ProviderValue(T row)
        {
            var value = Getter.GetClrValue(row);
            return value is not null && Mapping.Converter is { } converter ? converter.ConvertToProvider(value) : value;
        }
    }
}
