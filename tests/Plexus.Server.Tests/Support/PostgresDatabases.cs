using Npgsql;

namespace Plexus.Server.Tests.Support;

/// <summary>
/// Empty databases on the PostgreSQL named by <c>PLEXUS_PG</c> (scripts/pg-start.sh), one per fixture. Without it the
/// tests skip locally and fail under <c>CI=true</c>, so that CI cannot pass by skipping.
/// </summary>
public static class PostgresDatabases
{
    /// <summary>A new empty database's connection string, or why there is none here.</summary>
    public static async Task<(string? ConnectionString, string? SkipReason)> CreateAsync()
    {
        var admin = Environment.GetEnvironmentVariable("PLEXUS_PG");
        if (string.IsNullOrEmpty(admin))
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException("PLEXUS_PG is not set under CI=true: start PostgreSQL with scripts/pg-start.sh");
            }

            return (null, "PLEXUS_PG is not set (eval \"$(scripts/pg-start.sh)\" to run the PostgreSQL tests)");
        }

        var database = "plexus_test_" + Guid.NewGuid().ToString("n");
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        return (new NpgsqlConnectionStringBuilder(admin) { Database = database }.ConnectionString, null);
    }

    /// <summary>Drops a database made by <see cref="CreateAsync"/>, closing whatever still uses it.</summary>
    public static async Task DropAsync(string connectionString)
    {
        NpgsqlConnection.ClearAllPools();
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database;
        var admin = Environment.GetEnvironmentVariable("PLEXUS_PG");
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
