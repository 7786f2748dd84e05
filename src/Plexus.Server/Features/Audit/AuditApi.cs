using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Plexus.Persistence;
using Plexus.Server.Infrastructure;
using Plexus.Server.Infrastructure.Access;

namespace Plexus.Server.Features.Audit;

/// <summary>An organisation's audit log, newest first, for admins. Keyset pagination: <c>next</c> is the cursor of the following page.</summary>
public static class AuditApi
{
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        var audit = app.MapGroup("/api/v1/orgs/{orgId:guid}/audit").WithTags("Audit").RequireAuthorization();
        audit.MapGet("/", ListAsync)
            .WithName("ListAuditEntries").WithSummary("Security-relevant actions in the organisation, newest first (admins)")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status403Forbidden);
        return app;
    }

    private const int DefaultLimit = 50;
    private const int MaxLimit = 500;

    private static async Task<Results<Ok<Page<AuditEntryView>>, ProblemHttpResult>> ListAsync(
        Guid orgId, IAccess access, AppDbContext db, CancellationToken cancellationToken, int? limit = null, string? cursor = null)
    {
        var check = await access.CheckAsync(orgId, Permission.Admin, cancellationToken).ConfigureAwait(false);
        if (!check.Allowed)
        {
            return check.Problem("organisation");
        }

        var problems = new List<(string, string)>();
        if (limit is < 1 or > MaxLimit)
        {
            problems.Add(("limit", $"must be 1..{MaxLimit}"));
        }

        long? before = null;
        if (cursor is not null)
        {
            if (long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                before = id;
            }
            else
            {
                problems.Add(("cursor", "is not a cursor this API gave out"));
            }
        }

        if (problems.Count > 0)
        {
            return Problems.Validation(problems);
        }

        var take = limit ?? DefaultLimit;
        var query = db.AuditEntries.AsNoTracking().Where(a => a.OrganizationId == orgId);
        if (before is { } last)
        {
            query = query.Where(a => a.Id < last);
        }

        var rows = await query.OrderByDescending(a => a.Id).Take(take + 1)
            .Select(a => new AuditEntryView(a.Id, a.At, a.Action, a.Target, a.Detail, a.UserId, a.ApiKeyId, a.Ip))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var next = rows.Count > take ? rows[take - 1].Id.ToString(CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new Page<AuditEntryView>(rows.Count > take ? rows[..take] : rows, next));
    }
}

public sealed record AuditEntryView(long Id, DateTimeOffset At, string Action, string? Target, string? Detail, Guid? UserId, Guid? ApiKeyId, string? Ip);
