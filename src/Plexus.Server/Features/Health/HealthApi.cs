using Microsoft.AspNetCore.Http.HttpResults;
using Plexus.Persistence;

namespace Plexus.Server.Features.Health;

/// <summary><c>/health/live</c>: the process answers. <c>/health/ready</c>: the database answers too.</summary>
public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        var health = app.MapGroup("/health").WithTags("Health").AllowAnonymous();
        health.MapGet("/live", () => TypedResults.Ok(new HealthStatus("live")))
            .WithName("Live").WithSummary("The process is up");
        health.MapGet("/ready", ReadyAsync)
            .WithName("Ready").WithSummary("The process and its database are up")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static async Task<Results<Ok<HealthStatus>, ProblemHttpResult>> ReadyAsync(AppDbContext db, CancellationToken cancellationToken) =>
        await db.Database.CanConnectAsync(cancellationToken).ConfigureAwait(false)
            ? TypedResults.Ok(new HealthStatus("ready"))
            : Infrastructure.Problems.Of(StatusCodes.Status503ServiceUnavailable, "not-ready", "The database does not answer");
}

public sealed record HealthStatus(string Status);
