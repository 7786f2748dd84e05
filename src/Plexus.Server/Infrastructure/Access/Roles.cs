namespace Plexus.Server.Infrastructure.Access;

/// <summary>The roles a member can hold in an organisation, and what each grants.</summary>
public static class Roles
{
    public const string Owner = "owner";
    public const string Admin = "admin";
    public const string Editor = "editor";
    public const string Viewer = "viewer";

    public static IReadOnlyList<string> All { get; } = [Owner, Admin, Editor, Viewer];

    public static bool IsKnown(string? role) => role is Owner or Admin or Editor or Viewer;

    /// <summary>viewer: read; editor: + write, run, invoke; admin and owner: everything.</summary>
    public static bool Grants(string role, Permission permission) => role switch
    {
        Owner or Admin => true,
        Editor => permission is not Permission.Admin,
        Viewer => permission is Permission.WorkflowsRead,
        _ => false,
    };
}

/// <summary>The scopes an API key can carry: one per <see cref="Permission"/>, and nothing else.</summary>
public static class Scopes
{
    public const string WorkflowsRead = "workflows:read";
    public const string WorkflowsWrite = "workflows:write";
    public const string ExecutionsRun = "executions:run";
    public const string RoutesInvoke = "routes:invoke";
    public const string Admin = "admin";

    public static IReadOnlyList<string> All { get; } = [WorkflowsRead, WorkflowsWrite, ExecutionsRun, RoutesInvoke, Admin];

    public static bool TryParse(string? scope, out Permission permission)
    {
        (var known, permission) = scope switch
        {
            WorkflowsRead => (true, Permission.WorkflowsRead),
            WorkflowsWrite => (true, Permission.WorkflowsWrite),
            ExecutionsRun => (true, Permission.ExecutionsRun),
            RoutesInvoke => (true, Permission.RoutesInvoke),
            Admin => (true, Permission.Admin),
            _ => (false, default),
        };
        return known;
    }

    public static string Name(Permission permission) => permission switch
    {
        Permission.WorkflowsRead => WorkflowsRead,
        Permission.WorkflowsWrite => WorkflowsWrite,
        Permission.ExecutionsRun => ExecutionsRun,
        Permission.RoutesInvoke => RoutesInvoke,
        Permission.Admin => Admin,
        _ => throw new ArgumentOutOfRangeException(nameof(permission), permission, null),
    };
}
