using System.ComponentModel.DataAnnotations;

namespace Plexus.Server.Features.Schedules;

/// <summary>The <c>Schedules</c> section. Validated at start.</summary>
public sealed class ScheduleOptions
{
    public const string Section = "Schedules";

    /// <summary>A tick later than this counts as missed, and the schedule's <c>misfire</c> setting decides (skip, or run once).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MisfireThreshold { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How many scheduled runs one process carries out at once; more wait for a free slot.</summary>
    [Range(1, 1000)]
    public int MaxConcurrency { get; set; } = 10;

    /// <summary>On PostgreSQL: how often a replica tells the others it is alive; one silent for longer has its firings taken over.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ClusterCheckinInterval { get; set; } = TimeSpan.FromSeconds(7.5);
}
