using System.ComponentModel.DataAnnotations;

namespace Plexus.Server.Features.Queue;

/// <summary>The <c>Queue</c> section: how this replica works the durable run queue. Validated at start.</summary>
public sealed class QueueOptions : IValidatableObject
{
    public const string Section = "Queue";

    /// <summary>How many queued runs this replica runs at once.</summary>
    [Range(1, 10_000)]
    public int Concurrency { get; set; } = 64;

    /// <summary>How many runs may wait to start; past it, 202 routes and API runs answer 503 with <c>Retry-After</c>.</summary>
    [Range(1, 10_000_000)]
    public int Capacity { get; set; } = 100_000;

    /// <summary>How long a claim holds without a heartbeat: a run whose replica died is claimed again after this.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a replica renews the leases of the runs it holds; well under <see cref="LeaseDuration"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.200", "00:20:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A run claimed this many times without ending (its replicas kept dying) is failed instead of claimed again.</summary>
    [Range(1, 100)]
    public int MaxDeliveries { get; set; } = 3;

    /// <summary>What a 503 for a full queue asks the caller to wait.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A queued run sleeps through a <c>flow.wait</c> due within this long, keeping its worker; a longer wait saves the
    /// run as waiting with a timer, and a worker of any replica resumes it when it falls due (also after a restart).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan MaxInlineWait { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The longest an idle replica sleeps before looking at the queue without being told (a safety net for a lost notification).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan IdleCheck { get; set; } = TimeSpan.FromSeconds(30);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (HeartbeatInterval * 2 > LeaseDuration)
        {
            yield return new ValidationResult(
                "Queue:HeartbeatInterval must be at most half of Queue:LeaseDuration, or a live replica's leases would expire",
                [nameof(HeartbeatInterval)]);
        }
    }
}
