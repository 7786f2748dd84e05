namespace Plexus.Engine.Execution;

public sealed record ExecutorOptions
{
    /// <summary>How many activations of one run may execute at the same time.</summary>
    public int MaxParallelism { get; init; } = 8;

    public static ExecutorOptions Default { get; } = new();
}
