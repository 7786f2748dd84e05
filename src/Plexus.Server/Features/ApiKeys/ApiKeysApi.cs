using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Plexus.Persistence;
using Plexus.Persistence.Model;
using Plexus.Server.Features.Audit;
using Plexus.Server.Infrastructure;
using Plexus.Server.Infrastructure.Access;

namespace Plexus.Server.Features.ApiKeys;

/// <summary>
/// An organisation's API keys (admins). The secret is answered once, at creation, in <c>key</c>; afterwards only the
/// prefix is shown. A key that creates a key can only hand on scopes it has itself.
/// </summary>
public static class ApiKeysApi
{
    public static IEndpointRouteBuilder MapApiKeysApi(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/api/v1/orgs/{orgId:guid}/api-keys").WithTags("API keys").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status403Forbidden);
        keys.MapGet("/", ListAsync)
            .WithName("ListApiKeys").WithSummary("The organisation's API keys, revoked ones included, without secrets");
        keys.MapPost("/", CreateAsync)
            .WithName("CreateApiKey").WithSummary("Create an API key; the answer's `key` is the only time the secret is shown")
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);
        keys.MapDelete("/{keyId:guid}", RevokeAsync)
            .WithName("RevokeApiKey").WithSummary("Revoke an API key; it stops working at once");
        return app;
    }

    private const int MaxNameLength = 100;

    private static async Task<Results<Ok<Page<ApiKeyView>>, ProblemHttpResult>> ListAsync(
        Guid orgId, IAccess access, AppDbContext db, CancellationToken cancellationToken)
    {
        var check = await access.CheckAsync(orgId, Permission.Admin, cancellationToken).ConfigureAwait(false);
        if (!check.Allowed)
        {
            return check.Problem("organisation");
        }

        var keys = await db.ApiKeys.AsNoTracking().Where(k => k.OrganizationId == orgId)
            .OrderBy(k => k.Name).ThenBy(k => k.Id)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new Page<ApiKeyView>([.. keys.Select(View)], null));
    }

    private static async Task<Results<Created<CreatedApiKey>, ProblemHttpResult>> CreateAsync(
        Guid orgId, CreateApiKeyRequest request, IAccess access, AppDbContext db, AuditLog audit, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var check = await access.CheckAsync(orgId, Permission.Admin, cancellationToken).ConfigureAwait(false);
        if (!check.Allowed)
        {
            return check.Problem("organisation");
        }

        var name = request.Name?.Trim();
        var problems = new List<(string, string)>();
        if (name is not { Length: >= 1 and <= MaxNameLength })
        {
            problems.Add(("name", $"must be 1 to {MaxNameLength} characters"));
        }

        var scopes = request.Scopes ?? [];
        if (scopes.Count == 0)
        {
            problems.Add(("scopes", $"must name at least one of {string.Join(", ", Scopes.All)}"));
        }

        var actor = access.Current!;
        for (var i = 0; i < scopes.Count; i++)
        {
            if (!Scopes.TryParse(scopes[i], out var permission))
            {
                problems.Add(($"scopes[{i}]", $"must be one of {string.Join(", ", Scopes.All)}"));
            }
            else if (actor.IsApiKey && !actor.ApiKeyScopes.Contains(permission))
            {
                problems.Add(($"scopes[{i}]", "a key can only give scopes it has itself"));
            }
        }

        if (problems.Count > 0)
        {
            return Problems.Validation(problems);
        }

        var now = time.GetUtcNow();
        var (key, prefix) = ApiKeyFormat.Generate();
        var stored = new ApiKey
        {
            Id = Guid.CreateVersion7(now),
            OrganizationId = orgId,
            Name = name!,
            Prefix = prefix,
            SecretHash = Hashes.Sha256(key),
            Scopes = string.Join(' ', Scopes.All.Where(scopes.Contains)),
            CreatedBy = actor.UserId ?? actor.ApiKeyId!.Value,
            CreatedAt = now,
        };
        db.ApiKeys.Add(stored);
        await audit.WriteAsync(db, orgId, AuditActions.ApiKeyCreate, stored.Id.ToString(), $"{stored.Name} ({prefix}): {stored.Scopes}").ConfigureAwait(false);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        var view = View(stored);
        return TypedResults.Created($"/api/v1/orgs/{orgId}/api-keys/{stored.Id}",
            new CreatedApiKey(view.Id, view.Name, view.Prefix, view.Scopes, view.CreatedAt, key));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        Guid orgId, Guid keyId, IAccess access, AppDbContext db, AuditLog audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var check = await access.CheckAsync(orgId, Permission.Admin, cancellationToken).ConfigureAwait(false);
        if (!check.Allowed)
        {
            return check.Problem("organisation");
        }

        var stored = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == keyId && k.OrganizationId == orgId, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            return Problems.NotFound("API key");
        }

        if (stored.RevokedAt is null)
        {
            stored.RevokedAt = time.GetUtcNow();
            await audit.WriteAsync(db, orgId, AuditActions.ApiKeyRevoke, stored.Id.ToString(), $"{stored.Name} ({stored.Prefix})").ConfigureAwait(false);
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }

        return TypedResults.NoContent();
    }

    private static ApiKeyView View(ApiKey key) => new(key.Id, key.Name, key.Prefix,
        key.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries), key.CreatedAt, key.LastUsedAt, key.RevokedAt);
}

public sealed record ApiKeyView(
    Guid Id, string Name, string Prefix, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

/// <summary>A new key: <c>key</c> holds the secret, shown this once.</summary>
public sealed record CreatedApiKey(Guid Id, string Name, string Prefix, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt, string Key);

public sealed record CreateApiKeyRequest(string? Name, IReadOnlyList<string>? Scopes);
