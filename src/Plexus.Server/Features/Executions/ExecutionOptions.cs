using System.ComponentModel.DataAnnotations;

namespace Plexus.Server.Features.Executions;

/// <summary>The <c>Executions</c> section: how records are written and how long they are kept. Validated at start.</summary>
public sealed class ExecutionOptions
{
    public const string Section = "Executions";

    /// <summary>How many records may wait for the database; a full queue makes runs wait (never drops a record).</summary>
    [Range(1, 1_000_000)]
    public int RecordQueueCapacity { get; set; } = 2_000;

    /// <summary>At most this many records are written with one <c>SaveChanges</c>.</summary>
    [Range(1, 10_000)]
    public int RecordBatchSize { get; set; } = 256;

    /// <summary>How often old executions are deleted by each project's retention.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// A run that does not record its start at once (a route answered when the run ends) is listed as running once it
    /// has run this long: a record written per quick request would cost more than the run.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan LateStartDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many compiled workflows are kept in memory.</summary>
    [Range(1, 100_000)]
    public int PlanCacheSize { get; set; } = 512;

    /// <summary>How deep <c>flow.call</c> calls may nest; deeper is almost surely a blueprint calling itself.</summary>
    [Range(1, 64)]
    public int MaxCallDepth { get; set; } = 16;
}
