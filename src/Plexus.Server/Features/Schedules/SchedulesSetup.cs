using Plexus.Server.Infrastructure;
using Quartz;

namespace Plexus.Server.Features.Schedules;

public static class SchedulesSetup
{
    /// <summary>
    /// Quartz with the job store for the database: on PostgreSQL the clustered ADO store (its <c>qrtz_*</c> tables made at
    /// start when missing, outside the EF model), so every replica shares the schedules and each firing runs once; on SQLite
    /// (one process) the in-memory store, rebuilt from the published versions at start.
    /// </summary>
    public static IServiceCollection AddPlexusSchedules(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ScheduleOptions>().Bind(configuration.GetSection(ScheduleOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        var options = configuration.GetSection(ScheduleOptions.Section).Get<ScheduleOptions>() ?? new ScheduleOptions();
        var database = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        services.AddQuartz(q =>
        {
            q.UseDefaultThreadPool(options.MaxConcurrency);
            if (database.IsPostgres)
            {
                q.UsePersistentStore(store =>
                {
                    store.UsePostgres(database.EffectiveConnectionString);
                    store.ProvisionSchema();
                    store.UseSystemTextJsonSerializer();
                    store.UseClustering(c => c.CheckinInterval = options.ClusterCheckinInterval);
                    store.ConfigureStore(o => o.MisfireThreshold = options.MisfireThreshold);
                });
            }
            else
            {
                q.UseInMemoryStore(o => o.MisfireThreshold = options.MisfireThreshold);
            }
        });

        // Started before the sync below (not after the application started): a persistent store makes its tables on start.
        services.AddQuartzHostedService(o =>
        {
            o.AwaitApplicationStarted = false;
            o.WaitForJobsToComplete = true;
        });
        services.AddTransient<ScheduledRunJob>();
        services.AddSingleton<IScheduledRuns, QueuedScheduledRuns>();
        services.AddSingleton<Schedules>();
        services.AddHostedService<ScheduleStartup>();
        return services;
    }
}

/// <summary>
/// At start, after the scheduler: the jobs follow what is published (the in-memory store starts empty; a shared one may
/// lag). When stopping, before the scheduler shuts down (it waits for its firings): this replica's firings stop waiting
/// for their runs, which the executions' shutdown cancels and records, so that stopping never waits for a long run.
/// </summary>
internal sealed class ScheduleStartup(Schedules schedules, ISchedulerFactory schedulers) : IHostedLifecycleService
{
    private IScheduler? _scheduler;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _scheduler = await schedulers.GetScheduler(cancellationToken).ConfigureAwait(false);
        await schedules.SyncAllAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        // Null when the host stops without having started (nothing fires then).
        if (_scheduler is not { } scheduler)
        {
            return;
        }

        try
        {
            await scheduler.Standby(cancellationToken).ConfigureAwait(false);
            var self = await scheduler.GetSchedulerInstanceId(cancellationToken).ConfigureAwait(false);
            var firings = await scheduler.QueryFireInstances(new FireInstanceQuery { SchedulerInstanceId = self }, cancellationToken).ConfigureAwait(false);
            foreach (var firing in firings.Items)
            {
                await scheduler.InterruptFireInstance(firing.FireInstanceId, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (SchedulerException)
        {
            // Shut down already: nothing of it runs any more.
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
