using Plexus.Engine.Execution;
using Plexus.Engine.Expressions;
using Plexus.Engine.Nodes;
using Plexus.Nodes;
using Plexus.Server.Features.Executions;
using Plexus.Server.Features.Health;
using Plexus.Server.Features.NodeTypes;
using Plexus.Server.Infrastructure;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);
builder.WebHost.UseUrls(builder.Configuration["Urls"] ?? "http://127.0.0.1:5080");

// Platform
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<RequestErrorHandler>();
builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
builder.Services.AddOpenApi();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddPlexusDatabase(builder.Configuration);

// Engine
builder.Services.AddSingleton(BuiltInNodes.Catalog());
builder.Services.AddSingleton<ScriptHost>();
builder.Services.AddSingleton(sp => new WorkflowCompiler(sp.GetRequiredService<NodeCatalog>(), sp.GetRequiredService<ScriptHost>()));
builder.Services.AddHttpClient();
builder.Services.AddPlexusExecutions(builder.Configuration);

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapOpenApi();
app.MapScalarApiReference("/api/docs", o => o.WithTitle("Plexus API").WithOpenApiRoutePattern("/openapi/{documentName}.json"));
app.MapHealthApi();
app.MapNodeTypesApi();

await app.MigrateDatabaseAsync(app.Lifetime.ApplicationStopping);
await app.RunAsync();

public partial class Program;
