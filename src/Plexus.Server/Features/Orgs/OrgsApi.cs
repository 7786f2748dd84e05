using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Plexus.Persistence;
using Plexus.Persistence.Model;
using Plexus.Server.Features.Audit;
using Plexus.Server.Infrastructure;
using Plexus.Server.Infrastructure.Access;

namespace Plexus.Server.Features.Orgs;

/// <summary>Organisations: the ones I belong to (with my role), making one (I become its owner), reading one.</summary>
public static class OrgsApi
{
    public static IEndpointRouteBuilder MapOrgsApi(this IEndpointRouteBuilder app)
    {
        var orgs = app.MapGroup("/api/v1/orgs").WithTags("Organisations").RequireAuthorization();
        orgs.MapGet("/", ListAsync)
            .WithName("ListOrganizations").WithSummary("My organisations with my role (an API key sees its own)");
        orgs.MapPost("/", CreateAsync)
            .WithName("CreateOrganization").WithSummary("Create an organisation; the caller becomes its owner")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status403Forbidden);
        orgs.MapGet("/{orgId:guid}", GetAsync)
            .WithName("GetOrganization").WithSummary("One organisation with my role")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Ok<Page<OrganizationView>>> ListAsync(IAccess access, AppDbContext db, CancellationToken cancellationToken)
    {
        var actor = access.Current!;
        List<OrganizationView> items = actor.IsApiKey
            ? await db.Organizations.Where(o => o.Id == actor.ApiKeyOrganizationId)
                .Select(o => new OrganizationView(o.Id, o.Name, o.Personal, null, o.CreatedAt))
                .ToListAsync(cancellationToken).ConfigureAwait(false)
            : await (from m in db.Memberships
                     join o in db.Organizations on m.OrganizationId equals o.Id
                     where m.UserId == actor.UserId
                     orderby o.Personal descending, o.Name, o.Id
                     select new OrganizationView(o.Id, o.Name, o.Personal, m.Role, o.CreatedAt))
                .ToListAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new Page<OrganizationView>(items, null));
    }

    private static async Task<Results<Created<OrganizationView>, ProblemHttpResult>> CreateAsync(
        CreateOrganizationRequest request, IAccess access, AppDbContext db, AuditLog audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var actor = access.Current!;
        if (actor.UserId is not { } userId)
        {
            return Problems.Forbidden("an API key cannot create organisations");
        }

        var name = request.Name?.Trim();
        if (name is not { Length: >= 1 and <= 200 })
        {
            return Problems.Validation([("name", "must be 1 to 200 characters")]);
        }

        var now = time.GetUtcNow();
        var organization = new Organization { Id = Guid.CreateVersion7(now), Name = name, CreatedAt = now };
        db.Organizations.Add(organization);
        db.Memberships.Add(new Membership { Id = Guid.CreateVersion7(now), OrganizationId = organization.Id, UserId = userId, Role = Roles.Owner, CreatedAt = now });
        await audit.WriteAsync(db, organization.Id, AuditActions.OrganizationCreate, organization.Id.ToString(), name).ConfigureAwait(false);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Created($"/api/v1/orgs/{organization.Id}",
            new OrganizationView(organization.Id, organization.Name, organization.Personal, Roles.Owner, organization.CreatedAt));
    }

    private static async Task<Results<Ok<OrganizationView>, ProblemHttpResult>> GetAsync(
        Guid orgId, IAccess access, AppDbContext db, CancellationToken cancellationToken)
    {
        var check = await access.CheckAsync(orgId, Permission.WorkflowsRead, cancellationToken).ConfigureAwait(false);
        if (check.Outcome == AccessOutcome.NotFound)
        {
            return check.Problem("organisation");
        }

        // Anyone in the organisation may see it, whatever their role or scopes.
        var organization = await db.Organizations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == orgId, cancellationToken).ConfigureAwait(false);
        return organization is null
            ? Problems.NotFound("organisation")
            : TypedResults.Ok(new OrganizationView(organization.Id, organization.Name, organization.Personal, check.Role, organization.CreatedAt));
    }
}

/// <summary>An organisation; <c>role</c> is the caller's (null for an API key).</summary>
public sealed record OrganizationView(Guid Id, string Name, bool Personal, string? Role, DateTimeOffset CreatedAt);

public sealed record CreateOrganizationRequest(string? Name);
