using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

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

    /// <summary>Every line the server logs, with its scopes.</summary>
    public LogCapture Logs { get; } = new();

    /// <summary>
    /// The console's level: the test runner prints the whole process's output when any test fails, and hundreds of
    /// hosts' start-up lines bury the failure. <see cref="Logs"/> still gets every line.
    /// </summary>
    private const string QuietConsole = "Logging:Console:LogLevel:Default";

    protected void Set(string key, string? value) => _settings[key] = value;

    /// <summary>A setting of this server's configuration (and its replicas'); call before the server starts.</summary>
    public void Configure(string key, string? value) => Set(key, value);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.UseEnvironment("Testing");
        builder.UseSetting(QuietConsole, "Warning");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services => services.AddSingleton<ILoggerProvider>(Logs));
    }

    public abstract ValueTask InitializeAsync();

    /// <summary>Another server on the same database: a second replica (dispose it).</summary>
    public WebApplicationFactory<Program> Replica() => new ReplicaServer(new Dictionary<string, string?>(_settings, StringComparer.Ordinal));

    private sealed class ReplicaServer(Dictionary<string, string?> settings) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting(QuietConsole, "Warning");
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

/// <summary>A fresh database per server on the PostgreSQL of <see cref="PostgresDatabases"/>.</summary>
public class PostgresServer : PlexusServer
{
    private string? _connectionString;

    public override string Provider => "postgres";

    public override async ValueTask InitializeAsync()
    {
        (_connectionString, SkipReason) = await PostgresDatabases.CreateAsync();
        if (SkipReason is null && this is PostgresRedisServer)
        {
            var redis = Environment.GetEnvironmentVariable("PLEXUS_REDIS");
            if (string.IsNullOrEmpty(redis))
            {
                if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidOperationException("PLEXUS_REDIS is not set under CI=true: start Redis with scripts/redis-start.sh");
                }

                SkipReason = "PLEXUS_REDIS is not set (eval \"$(scripts/redis-start.sh)\" to run the Redis tests)";
            }

            Set("Redis:ConnectionString", redis);
        }

        if (_connectionString is not null)
        {
            Set("Database:Provider", "postgres");
            Set("Database:ConnectionString", _connectionString);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_connectionString is not null)
        {
            await PostgresDatabases.DropAsync(_connectionString);
        }

        GC.SuppressFinalize(this);
    }
}

/// <summary>PostgreSQL and the Redis named by <c>PLEXUS_REDIS</c> (scripts/redis-start.sh): replicas that share live events.</summary>
public sealed class PostgresRedisServer : PostgresServer;
