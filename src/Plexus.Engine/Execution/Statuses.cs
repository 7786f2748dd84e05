namespace Plexus.Engine.Execution;

/// <summary>The status words of an execution, used verbatim by the APIs and the CLI.</summary>
public static class ExecutionStatus
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Waiting = "waiting";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
}

/// <summary>The status words of a node run: an execution's, plus <c>skipped</c>.</summary>
public static class NodeRunStatus
{
    public const string Running = "running";
    public const string Waiting = "waiting";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
    public const string Skipped = "skipped";
}
