using Plexus.Server.Infrastructure;
using StackExchange.Redis;

namespace Plexus.Server.Features.LiveEvents;

public static class LiveEventsSetup
{
    public static IServiceCollection AddPlexusLiveEvents(this IServiceCollection services, IConfiguration configuration)
    {
        var signalR = services.AddSignalR();
        var redis = configuration.GetSection(RedisOptions.Section).Get<RedisOptions>()?.ConnectionString;
        // A string that does not parse is reported by the options' validation at start, naming the setting.
        if (!string.IsNullOrWhiteSpace(redis) && RedisOptions.Parse(redis).Options is { } settings)
        {
            settings.ChannelPrefix = RedisChannel.Literal("plexus");
            signalR.AddStackExchangeRedis(o => o.Configuration = settings);
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
