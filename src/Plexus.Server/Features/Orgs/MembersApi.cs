using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Plexus.Persistence;
using Plexus.Persistence.Model;
using Plexus.Server.Features.Audit;
using Plexus.Server.Features.Auth;
using Plexus.Server.Infrastructure;
using Plexus.Server.Infrastructure.Access;

namespace Plexus.Server.Features.Orgs;

/// <summary>
/// Members of an organisation. Every member sees the list; admins add, change and remove members; only owners make or
/// unmake owners; a member may leave. An organisation always keeps an owner (409 <c>last-owner</c>).
/// </summary>
public static class MembersApi
{
    public static IEndpointRouteBuilder MapMembersApi(this IEndpointRouteBuilder app)
    {
        var members = app.MapGroup("/api/v1/orgs/{orgId:guid}/members").WithTags("Members").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status403Forbidden);
        members.MapGet("/", ListAsync)
            .WithName("ListMembers").WithSummary("The members of an organisation with their roles");
        members.MapPost("/", AddAsync)
            .WithName("AddMember").WithSummary("Add an existing user by email with a role (admins; owners to add an owner)")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status409Conflict);
        members.MapPatch("/{userId:guid}", ChangeRoleAsync)
            .WithName("ChangeMemberRole").WithSummary("Change a member's role (admins; owners when an owner is involved)")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status409Conflict);
        members.MapDelete("/{userId:guid}", RemoveAsync)
            .WithName("RemoveMember").WithSummary("Remove a member (admins; owners to remove an owner; anyone may leave)")
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static async Task<Results<Ok<Page<MemberView>>, ProblemHttpResult>> ListAsync(
        Guid orgId, IAccess access, AppDbContext db, CancellationToken cancellationToken)
    {
        var check = await access.CheckAsync(orgId, Permission.WorkflowsRead, cancellationToken).ConfigureAwait(false);
        if (!check.Allowed)
        {
            return check.Problem("organisation");
        }

        var items = await (from m in db.Memberships
                           join u in db.Users on m.UserId equals u.Id
                           where m.OrganizationId == orgId
                           orderby u.Email
                           select new MemberView(u.Id, u.Email, u.Name, m.Role, m.CreatedAt))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new Page<MemberView>(items, null));
    }

    private static async Task<Results<Created<MemberView>, ProblemHttpResult>> AddAsync(
        Guid orgId, AddMemberRequest request, IAccess access, AppDbContext db, AuditLog audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var check = await access.CheckAsync(orgId, Permission.Admin, cancellationToken).ConfigureAwait(false);
        if (!check.Allowed)
        {
            return check.Problem("organisation");
        }

        var email = Emails.Normalize(request.Email);
        var problems = new List<(string, string)>();
        if (email is null)
        {
            problems.Add(("email", "must be an email address"));
        }

        if (!Roles.IsKnown(request.Role))
        {
            problems.Add(("role", $"must be one of {string.Join(", ", Roles.All)}"));
        }

        if (problems.Count > 0)
        {
            return Problems.Validation(problems);
        }

        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Email == email, cancellationToken).ConfigureAwait(false);
        if (user is null)
        {
            return Problems.Validation([("email", "no account has this email: the person must sign up first")]);
        }

        if (request.Role == Roles.Owner && check.Role != Roles.Owner)
        {
            return Problems.Forbidden("only an owner can make an owner");
        }

        if (await db.Memberships.AnyAsync(m => m.OrganizationId == orgId && m.UserId == user.Id, cancellationToken).ConfigureAwait(false))
        {
            return Problems.Conflict("already-member", "Already a member", $"{user.Email} is already a member: change the role instead");
        }

        var now = time.GetUtcNow();
        var membership = new Membership { Id = Guid.CreateVersion7(now), OrganizationId = orgId, UserId = user.Id, Role = request.Role!, CreatedAt = now };
        db.Memberships.Add(membership);
        await audit.WriteAsync(db, orgId, AuditActions.MemberAdd, user.Email, membership.Role).ConfigureAwait(false);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Created($"/api/v1/orgs/{orgId}/members/{user.Id}", new MemberView(user.Id, user.Email, user.Name, membership.Role, now));
    }

    private static async Task<Results<Ok<MemberView>, ProblemHttpResult>> ChangeRoleAsync(
        Guid orgId, Guid userId, ChangeRoleRequest request, IAccess access, AppDbContext db, AuditLog audit, CancellationToken cancellationToken)
    {
        var check = await access.CheckAsync(orgId, Permission.Admin, cancellationToken).ConfigureAwait(false);
        if (!check.Allowed)
        {
            return check.Problem("organisation");
        }

        if (!Roles.IsKnown(request.Role))
        {
            return Problems.Validation([("role", $"must be one of {string.Join(", ", Roles.All)}")]);
        }

        var membership = await db.Memberships.FirstOrDefaultAsync(m => m.OrganizationId == orgId && m.UserId == userId, cancellationToken).ConfigureAwait(false);
        if (membership is null)
        {
            return Problems.NotFound("member");
        }

        var before = membership.Role;
        if ((before == Roles.Owner || request.Role == Roles.Owner) && before != request.Role && check.Role != Roles.Owner)
        {
            return Problems.Forbidden("only an owner can make or unmake an owner");
        }

        if (before == Roles.Owner && request.Role != Roles.Owner && await IsLastOwnerAsync(db, orgId, cancellationToken).ConfigureAwait(false))
        {
            return LastOwner();
        }

        membership.Role = request.Role!;
        var user = await db.Users.AsNoTracking().FirstAsync(u => u.Id == userId, cancellationToken).ConfigureAwait(false);
        if (before != membership.Role)
        {
            await audit.WriteAsync(db, orgId, AuditActions.MemberRole, user.Email, $"{before} → {membership.Role}").ConfigureAwait(false);
        }

        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new MemberView(user.Id, user.Email, user.Name, membership.Role, membership.CreatedAt));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(
        Guid orgId, Guid userId, IAccess access, AppDbContext db, AuditLog audit, CancellationToken cancellationToken)
    {
        var leaving = access.Current?.UserId == userId;
        var check = await access.CheckAsync(orgId, leaving ? Permission.WorkflowsRead : Permission.Admin, cancellationToken).ConfigureAwait(false);
        if (!check.Allowed)
        {
            return check.Problem("organisation");
        }

        var membership = await db.Memberships.FirstOrDefaultAsync(m => m.OrganizationId == orgId && m.UserId == userId, cancellationToken).ConfigureAwait(false);
        if (membership is null)
        {
            return Problems.NotFound("member");
        }

        if (membership.Role == Roles.Owner)
        {
            if (!leaving && check.Role != Roles.Owner)
            {
                return Problems.Forbidden("only an owner can remove an owner");
            }

            if (await IsLastOwnerAsync(db, orgId, cancellationToken).ConfigureAwait(false))
            {
                return LastOwner();
            }
        }

        var email = await db.Users.Where(u => u.Id == userId).Select(u => u.Email).FirstAsync(cancellationToken).ConfigureAwait(false);
        db.Memberships.Remove(membership);
        await audit.WriteAsync(db, orgId, AuditActions.MemberRemove, email, membership.Role).ConfigureAwait(false);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    private static async Task<bool> IsLastOwnerAsync(AppDbContext db, Guid orgId, CancellationToken cancellationToken) =>
        await db.Memberships.CountAsync(m => m.OrganizationId == orgId && m.Role == Roles.Owner, cancellationToken).ConfigureAwait(false) <= 1;

    private static ProblemHttpResult LastOwner() =>
        Problems.Conflict("last-owner", "The organisation needs an owner", "make another member owner first");
}

public sealed record MemberView(Guid UserId, string Email, string Name, string Role, DateTimeOffset JoinedAt);

public sealed record AddMemberRequest(string? Email, string? Role);

public sealed record ChangeRoleRequest(string? Role);
