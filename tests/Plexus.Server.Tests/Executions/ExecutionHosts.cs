using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Plexus.Engine.Workflows;
using Plexus.Persistence;
using Plexus.Persistence.Model;
using Plexus.Server.Features.Executions;
using Plexus.Server.Infrastructure.ExecutionStore;
using Plexus.Server.Tests.Support;

namespace Plexus.Server.Tests.Executions;

/// <summary>
/// One database for a test class that outlives its servers, so that a test can stop a server and start another on
/// the same data (restart, shutdown drain). Subclasses pick the provider.
/// </summary>
public abstract class ExecutionDatabase : IAsyncLifetime
{
    public string? SkipReason { get; protected set; }
    public abstract string Provider { get; }
    protected abstract string ConnectionString { get; }

    /// <summary>A started server on this database; dispose it to stop it (gracefully, as a host stops).</summary>
    public ExecutionHost Start(IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        if (SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }

        var host = new ExecutionHost(Provider, ConnectionString, settings, services);
        _ = host.Services; // starts it: migrations, hosted services
        return host;
    }

    public abstract ValueTask InitializeAsync();
    public abstract ValueTask DisposeAsync();
}

public sealed class SqliteExecutionDatabase : ExecutionDatabase
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "plexus-tests", Guid.NewGuid().ToString("n"));

    public override string Provider => "sqlite";
    protected override string ConnectionString => $"Data Source={Path.Combine(_folder, "plexus.db")}";

    public override ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public override ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }

        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}

public sealed class PostgresExecutionDatabase : ExecutionDatabase
{
    private string? _connectionString;

    public override string Provider => "postgres";
    protected override string ConnectionString => _connectionString!;

    public override async ValueTask InitializeAsync() => (_connectionString, SkipReason) = await PostgresDatabases.CreateAsync();

    public override async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        if (_connectionString is not null)
        {
            await PostgresDatabases.DropAsync(_connectionString);
        }
    }
}

/// <summary>The real server on an <see cref="ExecutionDatabase"/>, with helpers to make the rows a run needs.</summary>
public sealed class ExecutionHost : PlexusServer
{
    private readonly Action<IServiceCollection>? _services;

    internal ExecutionHost(string provider, string connectionString, IReadOnlyDictionary<string, string?>? settings, Action<IServiceCollection>? services)
    {
        Provider = provider;
        _services = services;
        Set("Database:Provider", provider);
        Set("Database:ConnectionString", connectionString);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            Set(key, value);
        }
    }

    public override string Provider { get; }

    public override ValueTask InitializeAsync() => ValueTask.CompletedTask;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        if (_services is not null)
        {
            builder.ConfigureTestServices(_services);
        }
    }

    public ExecutionRunner Runner => Services.GetRequiredService<ExecutionRunner>();

    /// <summary>Runs <paramref name="query"/> on a fresh DbContext.</summary>
    public async Task<T> Db<T>(Func<AppDbContext, Task<T>> query)
    {
        await using var scope = Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<AppDbContext>());
    }

    /// <summary>Waits until every record queued so far is written (the writer is first in, first out).</summary>
    public async Task RecordedAsync()
    {
        var marker = new ExecutionEntry(Guid.NewGuid(), new ExecutionOwner(Guid.Empty, Guid.Empty, Guid.Empty, null),
            new Engine.Execution.ExecutionRecord("marker", "marker", "dev", "succeeded", null, null, null, null, null, DateTimeOffset.UnixEpoch, null, []));
        await Services.GetRequiredService<ExecutionRecorder>().RecordAsync(marker, SavePolicy.All, untilStored: true, TestContext.Current.CancellationToken);
    }

    /// <summary>An organisation, a project with <c>dev</c> and <c>prod</c>, and a workflow whose draft is <paramref name="json"/>.</summary>
    public async Task<Workflow> WorkflowAsync(string json, string savePolicy = SavePolicy.All, int? retentionDays = null, int? retentionMaxCount = null)
    {
        var now = DateTimeOffset.UtcNow;
        var organization = new Organization { Id = Guid.NewGuid(), Name = "Acme", CreatedAt = now };
        var project = new Project
        {
            Id = Guid.NewGuid(), OrganizationId = organization.Id, Name = "Shop", Slug = "shop-" + Guid.NewGuid().ToString("n")[..12], CreatedAt = now,
            RetentionDays = retentionDays, RetentionMaxCount = retentionMaxCount,
        };
        var document = WorkflowFile.Parse(json).Document!;
        var workflow = new Workflow
        {
            Id = Guid.NewGuid(), OrganizationId = organization.Id, ProjectId = project.Id, Name = document.Name, Kind = "flow", Draft = json,
            DraftRevision = 1, DraftValid = true, SavePolicy = savePolicy, CreatedAt = now, UpdatedAt = now,
        };
        await Db(async db =>
        {
            db.Organizations.Add(organization);
            db.Projects.Add(project);
            foreach (var stage in new[] { "dev", "prod" })
            {
                db.Stages.Add(new Stage { Id = Guid.NewGuid(), OrganizationId = organization.Id, ProjectId = project.Id, Name = stage, CreatedAt = now });
            }

            db.Workflows.Add(workflow);
            return await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        });
        return workflow;
    }

    /// <summary>Another workflow of <paramref name="caller"/>'s project, e.g. a blueprint it calls; published on <c>prod</c> as version 1 with <paramref name="publishedJson"/> when given.</summary>
    public async Task<Workflow> SiblingAsync(Workflow caller, string json, string? publishedJson = null)
    {
        var now = DateTimeOffset.UtcNow;
        var document = WorkflowFile.Parse(json).Document!;
        var workflow = new Workflow
        {
            Id = Guid.NewGuid(), OrganizationId = caller.OrganizationId, ProjectId = caller.ProjectId, Name = document.Name, Kind = "blueprint",
            Draft = json, DraftRevision = 1, DraftValid = true, SavePolicy = SavePolicy.All, CreatedAt = now, UpdatedAt = now,
        };
        await Db(async db =>
        {
            db.Workflows.Add(workflow);
            if (publishedJson is not null)
            {
                var prod = await db.Stages.SingleAsync(s => s.ProjectId == caller.ProjectId && s.Name == "prod", TestContext.Current.CancellationToken);
                db.WorkflowVersions.Add(new WorkflowVersion
                {
                    Id = Guid.NewGuid(), OrganizationId = caller.OrganizationId, WorkflowId = workflow.Id, Number = 1, Document = publishedJson, CreatedAt = now,
                });
                db.Publications.Add(new Publication
                {
                    Id = Guid.NewGuid(), OrganizationId = caller.OrganizationId, WorkflowId = workflow.Id, StageId = prod.Id, Version = 1, PublishedAt = now,
                });
            }

            return await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        });
        return workflow;
    }

    /// <summary>A secret of a project's stage, protected as the secrets API protects it.</summary>
    public Task SecretAsync(Guid projectId, string stage, string name, string value) => Db(async db =>
    {
        var ct = TestContext.Current.CancellationToken;
        var found = await db.Stages.SingleAsync(s => s.ProjectId == projectId && s.Name == stage, ct);
        var protector = Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(StageValues.SecretsPurpose);
        db.Secrets.Add(new Persistence.Model.Secret
        {
            Id = Guid.NewGuid(), OrganizationId = found.OrganizationId, StageId = found.Id, Name = name, ProtectedValue = protector.Protect(value),
            CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
        });
        return await db.SaveChangesAsync(ct);
    });

    public static RunStart DraftRun(Workflow workflow, System.Text.Json.Nodes.JsonNode? input = null) =>
        new() { Workflow = workflow, Document = WorkflowFile.Parse(workflow.Draft).Document!, Input = input };
}
