using System.ComponentModel.DataAnnotations;
using StackExchange.Redis;

namespace Plexus.Server.Features.LiveEvents;

/// <summary>The <c>Redis</c> section: set <c>ConnectionString</c> to share live events across replicas.</summary>
public sealed class RedisOptions
{
    public const string Section = "Redis";

    /// <summary>A StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379</c>; empty: one replica, no Redis.</summary>
    [MaxLength(2048)]
    public string? ConnectionString { get; set; }
}

public static class LiveEventsSetup
{
    public static IServiceCollection AddPlexusLiveEvents(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RedisOptions>().Bind(configuration.GetSection(RedisOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        var signalR = services.AddSignalR();
        var redis = configuration.GetSection(RedisOptions.Section).Get<RedisOptions>()?.ConnectionString;
        if (!string.IsNullOrWhiteSpace(redis))
        {
            signalR.AddStackExchangeRedis(redis, o => o.Configuration.ChannelPrefix = RedisChannel.Literal("plexus"));
        }

        services.AddSingleton<LiveExecutions>();
        return services;
    }

    public static IEndpointRouteBuilder MapLiveEvents(this IEndpointRouteBuilder app)
    {
        app.MapHub<ExecutionsHub>(ExecutionsHub.Path);
        return app;
    }
}
