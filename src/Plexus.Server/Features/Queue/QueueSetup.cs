using Plexus.Server.Infrastructure;

namespace Plexus.Server.Features.Queue;

public static class QueueSetup
{
    /// <summary>
    /// The durable run queue: its store and signals (the execution recorder writes queue effects), the enqueuer, this
    /// replica's workers, the outbox dispatcher, and on PostgreSQL the listener for other replicas' work. Registered
    /// after the executions, so that on stop the workers stop claiming before the runs still going are given back.
    /// </summary>
    public static IServiceCollection AddPlexusQueue(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<QueueOptions>().Bind(configuration.GetSection(QueueOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<QueueStore>();
        services.AddSingleton<QueueSignal>();
        services.AddSingleton<QueueReplica>();
        services.AddSingleton<QueuedWorkCodec>();
        services.AddSingleton<QueueMetrics>();
        services.AddSingleton<RunQueue>();
        services.AddSingleton<QueueWorkers>();
        services.AddHostedService(sp => sp.GetRequiredService<QueueWorkers>());
        services.AddHostedService<OutboxDispatcher>();
        if (configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() is { IsPostgres: true })
        {
            services.AddHostedService<QueueListener>();
        }

        return services;
    }
}
