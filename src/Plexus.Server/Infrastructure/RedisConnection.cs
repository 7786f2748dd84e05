using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Plexus.Server.Infrastructure;

/// <summary>
/// The process's connection to Redis for what replicas count together (SignalR's backplane keeps its own), or none when
/// <see cref="RedisOptions.ConnectionString"/> is empty. It connects on first use and reconnects by itself; while Redis
/// cannot be reached, commands fail at once instead of waiting in a backlog, so that callers fall back without delay.
/// </summary>
public sealed class RedisConnection(IOptions<RedisOptions> options) : IAsyncDisposable
{
    private readonly Lazy<Task<ConnectionMultiplexer>>? _connection = string.IsNullOrWhiteSpace(options.Value.ConnectionString)
        ? null
        : new Lazy<Task<ConnectionMultiplexer>>(() => ConnectAsync(options.Value.ConnectionString!));

    /// <summary>The database, or null without Redis.</summary>
    public async ValueTask<IDatabase?> DatabaseAsync() =>
        _connection is null ? null : (await _connection.Value.ConfigureAwait(false)).GetDatabase();

    private static Task<ConnectionMultiplexer> ConnectAsync(string configuration)
    {
        var settings = RedisOptions.Parse(configuration).Options ?? throw new InvalidOperationException("Redis:ConnectionString was validated at start");
        // A Redis that is down at start does not stop the server: it connects in the background and keeps trying.
        settings.AbortOnConnectFail = false;
        settings.BacklogPolicy = BacklogPolicy.FailFast;
        return ConnectionMultiplexer.ConnectAsync(settings);
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is { IsValueCreated: true })
        {
            await (await _connection.Value.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
        }
    }
}

public static class RedisSetup
{
    /// <summary>The <c>Redis</c> options, validated at start, and the <see cref="RedisConnection"/>.</summary>
    public static IServiceCollection AddPlexusRedis(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RedisOptions>().Bind(configuration.GetSection(RedisOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<RedisConnection>();
        return services;
    }
}
