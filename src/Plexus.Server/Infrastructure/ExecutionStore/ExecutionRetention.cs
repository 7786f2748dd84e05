using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Plexus.Engine.Execution;
using Plexus.Persistence;
using Plexus.Server.Features.Executions;

namespace Plexus.Server.Infrastructure.ExecutionStore;

/// <summary>
/// Deletes finished executions (and their node runs) beyond each project's retention: older than
/// <c>Project.RetentionDays</c>, and beyond the <c>Project.RetentionMaxCount</c> newest per workflow. Runs every
/// <see cref="ExecutionOptions.RetentionInterval"/> on the host's clock. Running and waiting executions are kept:
/// a waiting one still holds the state it resumes from.
/// </summary>
public sealed partial class ExecutionRetention(
    IServiceScopeFactory scopes, TimeProvider time, IOptions<ExecutionOptions> options, ILogger<ExecutionRetention> logger) : BackgroundService
{
    private static readonly string[] Finished = [ExecutionStatus.Succeeded, ExecutionStatus.Failed, ExecutionStatus.Cancelled];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RetentionInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await SweepAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    Log.SweepFailed(logger, exception);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host stopping.
        }
    }

    /// <summary>One pass over every project with a retention; returns how many executions were deleted.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var projects = await db.Projects
            .Where(p => p.RetentionDays != null || p.RetentionMaxCount != null)
            .Select(p => new { p.Id, p.RetentionDays, p.RetentionMaxCount })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var deleted = 0;
        var now = time.GetUtcNow();
        foreach (var project in projects)
        {
            if (project.RetentionDays is { } days)
            {
                var cutoff = now.AddDays(-days);
                deleted += await DeleteAsync(db, db.Executions
                    .Where(e => e.ProjectId == project.Id && Finished.Contains(e.Status) && e.StartedAt < cutoff)
                    .Select(e => e.Id), cancellationToken).ConfigureAwait(false);
            }

            if (project.RetentionMaxCount is { } max)
            {
                var workflows = await db.Workflows.Where(w => w.ProjectId == project.Id).Select(w => w.Id)
                    .ToListAsync(cancellationToken).ConfigureAwait(false);
                foreach (var workflow in workflows)
                {
                    var beyond = await db.Executions
                        .Where(e => e.WorkflowId == workflow && Finished.Contains(e.Status))
                        .OrderByDescending(e => e.StartedAt).ThenByDescending(e => e.Id)
                        .Skip(max)
                        .Select(e => e.Id)
                        .ToListAsync(cancellationToken).ConfigureAwait(false);
                    foreach (var chunk in beyond.Chunk(500))
                    {
                        deleted += await DeleteAsync(db, db.Executions.Where(e => chunk.Contains(e.Id)).Select(e => e.Id), cancellationToken)
                            .ConfigureAwait(false);
                    }
                }
            }
        }

        if (deleted > 0)
        {
            Log.Deleted(logger, deleted);
        }

        return deleted;
    }

    private static async Task<int> DeleteAsync(AppDbContext db, IQueryable<Guid> executions, CancellationToken cancellationToken)
    {
        // Node runs first: they are found through their executions.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await db.NodeRuns.Where(n => executions.Contains(n.ExecutionId)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        var count = await db.Executions.Where(e => executions.Contains(e.Id)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return count;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Retention deleted {Count} executions")]
        public static partial void Deleted(ILogger logger, int count);

        [LoggerMessage(Level = LogLevel.Error, Message = "Retention sweep failed")]
        public static partial void SweepFailed(ILogger logger, Exception exception);
    }
}
