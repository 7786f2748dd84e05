using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Plexus.Persistence;

namespace Plexus.Server.Infrastructure;

/// <summary>Registers the configured provider and brings its schema up to date at start.</summary>
internal static partial class DatabaseSetup
{
    private static readonly SqliteConnectionSettings SqliteSettings = new();

    public static IServiceCollection AddPlexusDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DatabaseOptions>().Bind(configuration.GetSection(DatabaseOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        var options = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        if (options.IsPostgres)
        {
            services.AddDbContextPool<AppDbContext, PostgresAppDbContext>(db => db.UseNpgsql(options.EffectiveConnectionString));
        }
        else
        {
            // Default Timeout: how long a statement retries while another connection writes. SqliteWriteGate queues
            // this process's writers in front of that, so that a steady writer cannot starve the others.
            var connection = new SqliteConnectionStringBuilder(options.EffectiveConnectionString)
            {
                Pooling = true,
                DefaultTimeout = (int)SqliteWriteGate.MaxWait.TotalSeconds,
            };
            services.AddSingleton<SqliteWriteGate>();
            services.AddDbContextPool<AppDbContext, SqliteAppDbContext>((sp, db) =>
                db.UseSqlite(connection.ToString()).AddInterceptors(SqliteSettings, sp.GetRequiredService<SqliteWriteGate>()));
        }

        return services;
    }

    /// <summary>Applies the provider's migrations; for SQLite makes the folder and switches the file to WAL first.</summary>
    public static async Task MigrateDatabaseAsync(this WebApplication app, CancellationToken cancellationToken)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        if (db.Database.IsSqlite())
        {
            var dataSource = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
            var folder = Path.GetDirectoryName(Path.GetFullPath(dataSource));
            if (!string.IsNullOrEmpty(folder) && dataSource != ":memory:")
            {
                Directory.CreateDirectory(folder);
            }

            await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // The context goes back to the pool: it must not keep a connection opened here (EF only closes what it opened).
            await db.Database.CloseConnectionAsync().ConfigureAwait(false);
        }

        Log.Migrated(app.Logger, db.Database.ProviderName ?? "?");
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Database ready ({Provider})")]
        public static partial void Migrated(ILogger logger, string provider);
    }
}
