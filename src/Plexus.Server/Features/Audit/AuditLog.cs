using Plexus.Persistence;
using Plexus.Persistence.Model;
using Plexus.Server.Infrastructure.Access;

namespace Plexus.Server.Features.Audit;

/// <summary>
/// Writes security-relevant actions to the audit log. Adds the entry to the caller's context without saving, so the
/// entry commits with the change it describes (or not at all). Who acted (user or API key) and from which address
/// come from the request.
/// </summary>
public sealed class AuditLog(IAccess access, IHttpContextAccessor http, TimeProvider time)
{
    /// <param name="userId">The acting user when nobody is signed in yet (signup, login); else the request's caller.</param>
    public Task WriteAsync(AppDbContext db, Guid? orgId, string action, string? target, string? detail, Guid? userId = null)
    {
        ArgumentNullException.ThrowIfNull(db);
        var actor = access.Current;
        db.AuditEntries.Add(new AuditEntry
        {
            OrganizationId = orgId,
            UserId = userId ?? actor?.UserId,
            ApiKeyId = actor?.ApiKeyId,
            Action = action,
            Target = target,
            Detail = detail,
            Ip = http.HttpContext?.Connection.RemoteIpAddress?.ToString(),
            At = time.GetUtcNow(),
        });
        return Task.CompletedTask;
    }
}

/// <summary>The action names this feature writes; other features add theirs (<c>workflow.publish</c>, <c>secret.set</c>, ...).</summary>
public static class AuditActions
{
    public const string SignUp = "auth.signup";
    public const string Login = "auth.login";
    public const string LoginFailed = "auth.login-failed";
    public const string LockedOut = "auth.locked";
    public const string RefreshReused = "auth.refresh-reused";
    public const string OrganizationCreate = "org.create";
    public const string MemberAdd = "member.add";
    public const string MemberRole = "member.role";
    public const string MemberRemove = "member.remove";
    public const string ApiKeyCreate = "api-key.create";
    public const string ApiKeyRevoke = "api-key.revoke";
}
