using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;

namespace Plexus.Server.Tests.Support;

/// <summary>
/// The real server (Program) on a real database, in-process over HTTP. One per test class; each gets an empty database.
/// Subclasses pick the provider, so one suite runs on SQLite and on PostgreSQL.
/// </summary>
public abstract class PlexusServer : WebApplicationFactory<Program>, IAsyncLifetime
{
    private readonly Dictionary<string, string?> _settings = new(StringComparer.Ordinal);

    /// <summary>Why this server cannot run here (no PostgreSQL configured outside CI), or null.</summary>
    public string? SkipReason { get; protected set; }

    public abstract string Provider { get; }

    protected void Set(string key, string? value) => _settings[key] = value;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public abstract ValueTask InitializeAsync();

    /// <summary>Another server on the same database: a second replica (dispose it).</summary>
    public WebApplicationFactory<Program> Replica() => new ReplicaServer(new Dictionary<string, string?>(_settings, StringComparer.Ordinal));

    private sealed class ReplicaServer(Dictionary<string, string?> settings) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Testing");
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

/// <summary>A fresh SQLite file per server.</summary>
public sealed class SqliteServer : PlexusServer
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "plexus-tests", Guid.NewGuid().ToString("n"));

    public override string Provider => "sqlite";

    public override ValueTask InitializeAsync()
    {
        Set("Database:Provider", "sqlite");
        Set("Database:ConnectionString", $"Data Source={Path.Combine(_folder, "plexus.db")}");
        return ValueTask.CompletedTask;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}

/// <summary>
/// A fresh database per server on the PostgreSQL named by <c>PLEXUS_PG</c> (scripts/pg-start.sh). Without it the
/// tests skip locally, and fail under <c>CI=true</c> so that CI cannot pass by skipping.
/// </summary>
public sealed class PostgresServer : PlexusServer
{
    private string? _admin;
    private string? _database;

    public override string Provider => "postgres";

    public override async ValueTask InitializeAsync()
    {
        _admin = Environment.GetEnvironmentVariable("PLEXUS_PG");
        if (string.IsNullOrEmpty(_admin))
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException("PLEXUS_PG is not set under CI=true: start PostgreSQL with scripts/pg-start.sh");
            }

            SkipReason = "PLEXUS_PG is not set (eval \"$(scripts/pg-start.sh)\" to run the PostgreSQL tests)";
            return;
        }

        _database = "plexus_test_" + Guid.NewGuid().ToString("n");
        await using (var connection = new NpgsqlConnection(_admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{_database}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        Set("Database:Provider", "postgres");
        Set("Database:ConnectionString", new NpgsqlConnectionStringBuilder(_admin) { Database = _database }.ConnectionString);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_database is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
