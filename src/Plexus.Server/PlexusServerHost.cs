using Plexus.Engine.Execution;
using Plexus.Engine.Expressions;
using Plexus.Engine.Nodes;
using Plexus.Nodes;
using Plexus.Server.Features.ApiKeys;
using Plexus.Server.Features.Audit;
using Plexus.Server.Features.Auth;
using Plexus.Server.Features.Editor;
using Plexus.Server.Features.EnvVariables;
using Plexus.Server.Features.Executions;
using Plexus.Server.Features.Health;
using Plexus.Server.Features.LiveEvents;
using Plexus.Server.Features.NodeTypes;
using Plexus.Server.Features.Orgs;
using Plexus.Server.Features.Projects;
using Plexus.Server.Features.Publishing;
using Plexus.Server.Features.Queue;
using Plexus.Server.Features.Router;
using Plexus.Server.Features.Schedules;
using Plexus.Server.Features.Secrets;
using Plexus.Server.Features.Stages;
using Plexus.Server.Features.Versions;
using Plexus.Server.Features.Workflows;
using Plexus.Server.Infrastructure;
using Microsoft.Extensions.Configuration.Memory;
using Scalar.AspNetCore;

namespace Plexus.Server;

/// <summary>
/// The server: what it registers and maps, in the order a reader wants it (this file is the table of contents).
/// Started by <c>Program</c> and by <c>plexus serve</c>.
/// </summary>
public static class PlexusServerHost
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, WebRootPath = EditorHosting.LocateWebRoot() });

        // Defaults under every other source (appsettings, environment, arguments still win): the framework's and
        // EF Core's per-request and per-command lines at Information cost more CPU than a route's whole run; console
        // lines show their scopes, so that each line of a run names its correlation and execution ids (RunLogScope).
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = LogDefaults });
        builder.WebHost.UseUrls(builder.Configuration["Urls"] ?? "http://127.0.0.1:5080");

        // Platform
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = Problems.FillCode);
        builder.Services.AddExceptionHandler<RequestErrorHandler>();
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddPlexusOpenApi();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddPlexusDatabase(builder.Configuration);
        builder.Services.AddPlexusRedis(builder.Configuration);
        builder.Services.AddRequestBodyLimit(builder.Configuration);

        // Accounts
        builder.Services.AddPlexusAuth(builder.Configuration);

        // Engine
        builder.Services.AddSingleton(BuiltInNodes.Catalog());
        builder.Services.AddSingleton<ScriptHost>();
        builder.Services.AddSingleton(sp => new WorkflowCompiler(sp.GetRequiredService<NodeCatalog>(), sp.GetRequiredService<ScriptHost>()));
        builder.Services.AddHttpClient();
        builder.Services.AddPlexusExecutions(builder.Configuration);
        builder.Services.AddPlexusQueue(builder.Configuration);

        // Router: published workflows answer HTTP (its own pipeline branch, outside /api)
        builder.Services.AddPlexusRouter(builder.Configuration);
        builder.Services.AddPlexusLiveEvents(builder.Configuration);

        // Schedules: published schedule.cron triggers fire through Quartz (clustered on PostgreSQL)
        builder.Services.AddPlexusSchedules(builder.Configuration);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRequestBodyLimit();
        app.UsePlexusRouter();
        app.UseEditorFiles();
        app.UsePlexusAuth();

        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference("/api/docs", o => o.WithTitle("Plexus API").WithOpenApiRoutePattern("/openapi/{documentName}.json")).AllowAnonymous();
        app.MapHealthApi();
        app.MapNodeTypesApi();
        app.MapAuthApi();
        app.MapOrgsApi();
        app.MapMembersApi();
        app.MapApiKeysApi();
        app.MapAuditApi();
        app.MapProjectsApi();
        app.MapStagesApi();
        app.MapWorkflowsApi();
        app.MapDraftApi();
        app.MapVersionsApi();
        app.MapPublishingApi();
        app.MapSchedulesApi();
        app.MapSecretsApi();
        app.MapEnvVariablesApi();
        app.MapExecutionsApi();
        app.MapQueueApi();
        app.MapLiveEvents();
        app.MapEditorFallback();
        return app;
    }

    private static readonly Dictionary<string, string?> LogDefaults = new()
    {
        // Naming the formatter makes the console read FormatterOptions; without a name it takes the obsolete
        // Logging:Console:IncludeScopes (false) instead.
        ["Logging:Console:FormatterName"] = "simple",
        ["Logging:Console:FormatterOptions:IncludeScopes"] = "true",
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Warning",
    };

    /// <summary>Builds the server, brings the database schema up to date and serves until stopped.</summary>
    public static async Task RunAsync(string[] args)
    {
        var app = Build(args);
        await app.MigrateDatabaseAsync(app.Lifetime.ApplicationStopping).ConfigureAwait(false);
        await app.RunAsync().ConfigureAwait(false);
    }
}
