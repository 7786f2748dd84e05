using Microsoft.AspNetCore.Http.HttpResults;
using Plexus.Persistence;
using Plexus.Server.Infrastructure.Access;

namespace Plexus.Server.Features.Queue;

/// <summary><c>GET /api/v1/orgs/{orgId}/queue</c>: an organisation's runs waiting in the durable queue.</summary>
public static class QueueApi
{
    public static IEndpointRouteBuilder MapQueueApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/orgs/{orgId:guid}/queue", GetAsync).WithTags("Queue").RequireAuthorization()
            .WithName("GetQueue").WithSummary("The organisation's queued runs: waiting, running, scheduled, and the oldest wait")
            .WithDescription("`waiting`: runs due and not yet started by a worker; `oldestWaitMs`: how long the one due longest has waited; `running`: runs held by a replica now; `scheduled`: items due later (timers of waiting runs, retries in their backoff).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Results<Ok<QueueView>, ProblemHttpResult>> GetAsync(Guid orgId, IAccess access, AppDbContext db, QueueStore store,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var check = await access.CheckAsync(orgId, Permission.WorkflowsRead, cancellationToken).ConfigureAwait(false);
        if (check.Outcome != AccessOutcome.Allowed)
        {
            return check.Problem("organisation");
        }

        var depth = await store.DepthAsync(db, orgId, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new QueueView(depth.Waiting, (long)depth.OldestAge.TotalMilliseconds, depth.Running, depth.Scheduled));
    }
}

public sealed record QueueView(int Waiting, long OldestWaitMs, int Running, int Scheduled);
