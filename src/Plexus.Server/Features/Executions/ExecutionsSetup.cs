using Microsoft.Extensions.DependencyInjection.Extensions;
using Plexus.Engine.Execution;
using Plexus.Engine.Expressions;
using Plexus.Engine.Nodes;
using Plexus.Server.Infrastructure.ExecutionStore;

namespace Plexus.Server.Features.Executions;

public static class ExecutionsSetup
{
    /// <summary>The HTTP client name <c>http.request</c> nodes use.</summary>
    public const string NodesHttpClient = "plexus.nodes";

    /// <summary>The executor, the runner, the background record writer and the retention job.</summary>
    public static IServiceCollection AddPlexusExecutions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ExecutionOptions>().Bind(configuration.GetSection(ExecutionOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddDataProtection();
        services.AddHttpClient(NodesHttpClient);
        services.TryAddSingleton(TimeProvider.System);

        services.AddSingleton<ExecutionPlans>();
        services.AddSingleton<ActiveExecutions>();
        services.AddSingleton<ProjectBlueprints>();
        services.AddSingleton(sp => new WorkflowExecutor(new NodeServices
        {
            Time = sp.GetRequiredService<TimeProvider>(),
            Scripts = sp.GetRequiredService<ScriptHost>(),
            Http = sp.GetRequiredService<IHttpClientFactory>().CreateClient(NodesHttpClient),
            Blueprints = sp.GetRequiredService<ProjectBlueprints>(),
        }));
        services.AddSingleton<ExecutionRunner>();
        services.AddSingleton<CancelRequests>();
        services.AddHostedService(sp => sp.GetRequiredService<CancelRequests>());

        // Hosted services stop in reverse order: runs end (and queue their records) before the recorder drains.
        services.AddSingleton<ExecutionRecorder>();
        services.AddHostedService(sp => sp.GetRequiredService<ExecutionRecorder>());
        services.AddHostedService<ActiveExecutionsShutdown>();
        services.AddHostedService<LateStarts>();
        services.AddSingleton<ExecutionRetention>();
        services.AddHostedService(sp => sp.GetRequiredService<ExecutionRetention>());
        return services;
    }
}
