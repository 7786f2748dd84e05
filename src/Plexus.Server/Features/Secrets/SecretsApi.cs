using System.Text.RegularExpressions;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Secret = Plexus.Persistence.Model.Secret;
using Plexus.Server.Features.Audit;
using Plexus.Server.Features.Projects;
using Plexus.Server.Infrastructure;
using Plexus.Server.Infrastructure.Access;

namespace Plexus.Server.Features.Secrets;

/// <summary>
/// Secrets of a project's stage, encrypted at rest with Data Protection (purpose <see cref="Purpose"/>). A value goes
/// in and never comes back out through the API: lists show names and dates only.
/// </summary>
public static partial class SecretsApi
{
    /// <summary>The Data Protection purpose secrets are protected with; executions unprotect with the same.</summary>
    public const string Purpose = "plexus.secrets";

    public const string SetAction = "secret.set";
    public const string DeleteAction = "secret.delete";

    /// <summary>The longest value a secret or an environment variable may hold, in characters.</summary>
    public const int MaxValueLength = 65_536;

    public static IEndpointRouteBuilder MapSecretsApi(this IEndpointRouteBuilder app)
    {
        var secrets = app.MapGroup("/api/v1/projects/{projectId:guid}/stages/{stage}/secrets").WithTags("Secrets").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status403Forbidden);
        secrets.MapGet("/", ListSecrets).WithName("ListSecrets").WithSummary("List a stage's secrets")
            .WithDescription("Names and dates, never values. Needs the write permission (editors and up).");
        secrets.MapPut("/{name}", SetSecret).WithName("SetSecret").WithSummary("Set a secret")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status409Conflict)
            .WithDescription("Creates (201) or replaces (200) the secret; the value is encrypted at rest and never shown again. Names: a letter or `_`, then up to 63 letters, digits and `_`. Needs the admin permission.");
        secrets.MapDelete("/{name}", DeleteSecret).WithName("DeleteSecret").WithSummary("Delete a secret")
            .WithDescription("Needs the admin permission.");
        return app;
    }

    public static async Task<Results<Ok<Page<SecretView>>, ProblemHttpResult>> ListSecrets(
        Guid projectId, string stage, [AsParameters] ProjectServices services, CancellationToken cancellationToken)
    {
        var (row, problem) = await services.StageAsync(projectId, stage, Permission.WorkflowsWrite, cancellationToken);
        if (row is null)
        {
            return problem!;
        }

        var items = await services.Db.Secrets.AsNoTracking().Where(s => s.StageId == row.Id).OrderBy(s => s.Name)
            .Select(s => new SecretView(s.Name, s.CreatedAt, s.UpdatedAt))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new Page<SecretView>(items, null));
    }

    public static async Task<Results<Created<SecretView>, Ok<SecretView>, ProblemHttpResult>> SetSecret(
        Guid projectId, string stage, string name, SecretValue request, IDataProtectionProvider protection, AuditLog audit,
        [AsParameters] ProjectServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(protection);
        ArgumentNullException.ThrowIfNull(audit);
        var (row, problem) = await services.StageAsync(projectId, stage, Permission.Admin, cancellationToken);
        if (row is null)
        {
            return problem!;
        }

        if (CheckNameAndValue(name, request.Value) is { } invalid)
        {
            return invalid;
        }

        var db = services.Db;
        var now = services.Clock.GetUtcNow();
        var secret = await db.Secrets.FirstOrDefaultAsync(s => s.StageId == row.Id && s.Name == name, cancellationToken);
        var created = secret is null;
        var protectedValue = protection.CreateProtector(Purpose).Protect(request.Value!);
        if (secret is null)
        {
            secret = new Secret { Id = Guid.CreateVersion7(now), OrganizationId = row.OrganizationId, StageId = row.Id, Name = name, ProtectedValue = protectedValue, CreatedAt = now };
            db.Secrets.Add(secret);
        }

        secret.ProtectedValue = protectedValue;
        secret.UpdatedAt = now;
        await audit.WriteAsync(db, row.OrganizationId, SetAction, Target(projectId, row.Name, name), created ? "created" : "replaced");
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // The unique (stage, name) index caught a concurrent first write of the same name.
            return Problems.Conflict("secret-conflict", "The secret was written at the same time", "try again");
        }

        // Routes hold the stage's values; the next request reads them again.
        services.Routes.Invalidate(projectId);

        var view = new SecretView(secret.Name, secret.CreatedAt, secret.UpdatedAt);
        return created ? TypedResults.Created($"/api/v1/projects/{projectId}/stages/{row.Name}/secrets/{name}", view) : TypedResults.Ok(view);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteSecret(
        Guid projectId, string stage, string name, AuditLog audit, [AsParameters] ProjectServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(audit);
        var (row, problem) = await services.StageAsync(projectId, stage, Permission.Admin, cancellationToken);
        if (row is null)
        {
            return problem!;
        }

        var db = services.Db;
        var secret = await db.Secrets.FirstOrDefaultAsync(s => s.StageId == row.Id && s.Name == name, cancellationToken);
        if (secret is null)
        {
            return Problems.NotFound($"secret '{name}'");
        }

        db.Secrets.Remove(secret);
        await audit.WriteAsync(db, row.OrganizationId, DeleteAction, Target(projectId, row.Name, name), null);
        await db.SaveChangesAsync(cancellationToken);
        services.Routes.Invalidate(projectId);
        return TypedResults.NoContent();
    }

    /// <summary>How the audit log names a secret: project, stage and name; never anything of the value.</summary>
    private static string Target(Guid projectId, string stage, string name) => $"{projectId}/{stage}/{name}";

    /// <summary>The checks secrets and environment variables share: the name's form and the value's presence and size.</summary>
    public static ProblemHttpResult? CheckNameAndValue(string name, string? value)
    {
        var problems = new List<(string, string)>();
        if (!NamePattern().IsMatch(name))
        {
            problems.Add(("name", "must be a letter or '_', then up to 63 letters, digits and '_'"));
        }

        if (value is null)
        {
            problems.Add(("value", "is required"));
        }
        else if (value.Length > MaxValueLength)
        {
            problems.Add(("value", $"must be at most {MaxValueLength} characters"));
        }

        return problems.Count > 0 ? Problems.Validation(problems) : null;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,63}$")]
    private static partial Regex NamePattern();
}

public sealed record SecretValue(string? Value);

/// <summary>A secret as listed: never its value.</summary>
public sealed record SecretView(string Name, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
