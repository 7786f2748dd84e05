using System.Collections.Concurrent;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Plexus.Engine.Routing;
using Plexus.Engine.Workflows;
using Plexus.Nodes.Triggers;
using Plexus.Persistence;
using Plexus.Persistence.Model;
using Plexus.Server.Features.Executions;

namespace Plexus.Server.Features.Router;

/// <summary>What answers a route: a workflow's version (or, on dev, its draft) started at one of its HTTP triggers.</summary>
public sealed record RouteTarget(Workflow Workflow, int? Version, WorkflowDocument Document, string TriggerNodeId, HttpTriggerSettings Settings);

/// <summary>
/// The compiled routes of one stage of one project, with the stage's environment and secrets that its runs see (read
/// once here rather than on every request). Immutable once built.
/// </summary>
public sealed record StageRoutes(Guid ProjectId, Guid OrganizationId, string Stage, RouteTable<RouteTarget> Table,
    IReadOnlyList<RouteConflict<RouteTarget>> Conflicts, StageValues Values);

/// <summary>
/// Drops compiled route tables when what they were built from changes: publish, draft save, deletes, and the stage's
/// environment variables and secrets.
/// </summary>
public interface IRouteInvalidation
{
    /// <summary>Every stage's table of the project is rebuilt on its next request.</summary>
    void Invalidate(Guid projectId);
}

/// <summary>
/// Route tables per (project slug, stage), built lazily on the first request and replaced whole on invalidation: a request
/// gets either the old table or the new one, never a half-built one. On dev the valid draft of each workflow answers; on
/// other stages the published versions.
/// </summary>
public sealed class RouteTables(IServiceScopeFactory scopes, IDataProtectionProvider protection, ILogger<RouteTables> logger) : IRouteInvalidation
{
    private readonly ConcurrentDictionary<(string Slug, string Stage), Lazy<Task<StageRoutes?>>> _tables = new();

    /// <summary>Raised after a local invalidation (the PostgreSQL notifier tells other replicas).</summary>
    public event Action<Guid>? Invalidated;

    /// <summary>The stage's routes, or null when the project or stage does not exist.</summary>
    public async ValueTask<StageRoutes?> GetAsync(string slug, string stage)
    {
        var key = (slug, stage);
        var lazy = _tables.GetOrAdd(key, k => new Lazy<Task<StageRoutes?>>(() => BuildAsync(k.Slug, k.Stage)));
        try
        {
            var routes = await lazy.Value.ConfigureAwait(false);
            if (routes is null)
            {
                // Unknown project or stage: not cached, so that creating it later needs no invalidation.
                _tables.TryRemove(new KeyValuePair<(string, string), Lazy<Task<StageRoutes?>>>(key, lazy));
            }

            return routes;
        }
        catch
        {
            _tables.TryRemove(new KeyValuePair<(string, string), Lazy<Task<StageRoutes?>>>(key, lazy));
            throw;
        }
    }

    public void Invalidate(Guid projectId)
    {
        DropLocal(projectId);
        Invalidated?.Invoke(projectId);
    }

    /// <summary>Drops the project's tables here only (what a notification from another replica does).</summary>
    public void DropLocal(Guid projectId)
    {
        foreach (var (key, lazy) in _tables)
        {
            // A table still being built may be of this project: drop it too (it is rebuilt on the next request).
            if (!lazy.IsValueCreated || !lazy.Value.IsCompletedSuccessfully || lazy.Value.Result is not { } routes || routes.ProjectId == projectId)
            {
                _tables.TryRemove(new KeyValuePair<(string, string), Lazy<Task<StageRoutes?>>>(key, lazy));
            }
        }
    }

    /// <summary>
    /// A stage's routes already built here, found by project id, or null: a queued run of a published route reuses its
    /// workflow, document and stage values instead of reading them again (the tables are dropped on every change to them).
    /// </summary>
    public StageRoutes? Built(Guid projectId, string stage)
    {
        // Enumerating takes no locks (Values would take them all, on every queued run).
        foreach (var (_, lazy) in _tables)
        {
            if (lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully && lazy.Value.Result is { } routes
                && routes.ProjectId == projectId && routes.Stage == stage)
            {
                return routes;
            }
        }

        return null;
    }

    /// <summary>Drops every table here (after a lost notification connection).</summary>
    public void DropAll() => _tables.Clear();

    private async Task<StageRoutes?> BuildAsync(string slug, string stageName)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var project = await db.Projects.AsNoTracking().FirstOrDefaultAsync(p => p.Slug == slug).ConfigureAwait(false);
        if (project is null)
        {
            return null;
        }

        var stage = await db.Stages.AsNoTracking().FirstOrDefaultAsync(s => s.ProjectId == project.Id && s.Name == stageName).ConfigureAwait(false);
        var values = stage is null ? null : await StageValues.LoadAsync(db, protection, project.Id, stageName, logger, CancellationToken.None).ConfigureAwait(false);
        if (stage is null || values is null)
        {
            return null;
        }

        var sources = new List<(Workflow Workflow, int? Version, string Text)>();
        if (stageName == "dev")
        {
            var drafts = await db.Workflows.AsNoTracking().Where(w => w.ProjectId == project.Id && w.DraftValid).ToListAsync().ConfigureAwait(false);
            sources.AddRange(drafts.Select(w => (w, (int?)null, w.Draft)));
        }
        else
        {
            var published = await (
                from p in db.Publications.AsNoTracking()
                join w in db.Workflows.AsNoTracking() on p.WorkflowId equals w.Id
                join v in db.WorkflowVersions.AsNoTracking() on new { p.WorkflowId, Number = p.Version } equals new { v.WorkflowId, v.Number }
                where p.StageId == stage.Id
                select new { Workflow = w, p.Version, v.Document }).ToListAsync().ConfigureAwait(false);
            sources.AddRange(published.Select(p => (p.Workflow, (int?)p.Version, p.Document)));
        }

        var entries = new List<RouteEntry<RouteTarget>>();
        foreach (var (workflow, version, text) in sources.OrderBy(s => s.Workflow.Name, StringComparer.Ordinal).ThenBy(s => s.Workflow.Id))
        {
            entries.AddRange(Routes(workflow, version, text));
        }

        var table = RouteTable.Build(entries, out var conflicts);
        foreach (var conflict in conflicts)
        {
            Log.RouteLeftOut(logger, conflict.Second.Target.Workflow.Name, conflict.Second.Method, conflict.Second.Target.Settings.Path,
                conflict.First.Target.Workflow.Name, slug, stageName);
        }

        return new StageRoutes(project.Id, project.OrganizationId, stageName, table, conflicts, values);
    }

    /// <summary>The routes of a workflow document: one per <c>http.trigger</c> with a valid method and path.</summary>
    public static IEnumerable<RouteEntry<RouteTarget>> Routes(Workflow workflow, int? version, string documentText)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        if (WorkflowFile.Parse(documentText).Document is not { } document)
        {
            yield break;
        }

        foreach (var node in document.Nodes)
        {
            if (node.Type != "http.trigger" || HttpTriggerSettings.Read(node.Settings) is not { } settings
                || RouteTemplate.Parse(settings.Path, out _) is not { } template)
            {
                continue;
            }

            yield return new RouteEntry<RouteTarget>(settings.Method, template, new RouteTarget(workflow, version, document, node.Id, settings));
        }
    }
}

internal static partial class Log
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Route {Method} {Path} of workflow '{Workflow}' collides with workflow '{Other}' on {Project}/{Stage}; left out")]
    public static partial void RouteLeftOut(ILogger logger, string workflow, string method, string path, string other, string project, string stage);
}
