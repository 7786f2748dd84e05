using System.Text.Json.Nodes;
using Plexus.Engine.Expressions;
using Plexus.Engine.Nodes;
using Plexus.Engine.Workflows;
using Quartz;

namespace Plexus.Nodes.Triggers;

/// <summary>Starts a run on a cron schedule, once a version is published to a stage; emits <c>{ scheduledAt, firedAt }</c>.</summary>
public sealed class ScheduleCron : NodeType
{
    public const string TypeName = "schedule.cron";

    public override NodeTypeInfo Info { get; } = new()
    {
        Type = TypeName,
        Category = "trigger",
        Title = "Schedule",
        Description = "Runs the published workflow on a cron schedule. Emits scheduledAt (the tick) and firedAt (when it really fired), ISO 8601 UTC.",
        Icon = "clock",
        Inputs = [],
        IsTrigger = true,
        RawSettings = new HashSet<string>(StringComparer.Ordinal) { "cron", "timeZone", "overlap", "misfire" },
        SettingsSchema = SettingsSchema.Object(
            new Setting("cron", SettingsSchema.String(
                "Unix cron: 5 fields (minute hour day-of-month month day-of-week, Sunday = 0 or 7), or 6 with seconds first; or @hourly, @daily, ...",
                minLength: 1), Required: true),
            new Setting("timeZone", SettingsSchema.String("IANA time zone the fields are read in, e.g. Europe/Amsterdam.", minLength: 1)),
            new Setting("overlap", SettingsSchema.Enum(
                "A tick that comes while the previous run goes on: skip it, queue it (at most one waits), or allow runs side by side.",
                ScheduleCronSettings.OverlapSkip, ScheduleCronSettings.OverlapSkip, ScheduleCronSettings.OverlapQueue, ScheduleCronSettings.OverlapAllow)),
            new Setting("misfire", SettingsSchema.Enum(
                "Ticks missed while the servers were down or the schedule paused: skip them, or run once at once.",
                ScheduleCronSettings.MisfireSkip, ScheduleCronSettings.MisfireSkip, ScheduleCronSettings.MisfireRunOnce))),
    };

    /// <summary>A scheduled run gets <c>{ scheduledAt, firedAt }</c>; a run by hand (editor, CLI) gets the same with the current time.</summary>
    public override ValueTask<NodeResult> ExecuteAsync(NodeContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.RunInput is not null)
        {
            return ValueTask.FromResult(NodeResult.Emit(context.RunInput));
        }

        var now = context.Services.Time.GetUtcNow();
        return ValueTask.FromResult(NodeResult.Emit(ScheduleCronSettings.Input(now, now)));
    }

    public override void Validate(NodeDefinition node, WorkflowShape workflow, ScriptHost scripts, Action<string, string> report)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(report);
        if (node.Settings?["cron"] is JsonValue cron && cron.TryGetValue<string>(out var text) && CronText.ToQuartz(text, out var error) is null)
        {
            report("settings.cron", error!);
        }

        if (node.Settings?["timeZone"] is JsonValue zone && zone.TryGetValue<string>(out var name) && ScheduleCronSettings.FindTimeZone(name) is null)
        {
            report("settings.timeZone", $"unknown time zone '{name}'; use an IANA name such as Europe/Amsterdam or UTC");
        }
    }
}

/// <summary>A <c>schedule.cron</c> trigger's settings, read once (they are raw, never expressions), with their defaults.</summary>
public sealed record ScheduleCronSettings
{
    public const string OverlapSkip = "skip";
    public const string OverlapQueue = "queue";
    public const string OverlapAllow = "allow";
    public const string MisfireSkip = "skip";
    public const string MisfireRunOnce = "runOnce";

    /// <summary>As written by the user.</summary>
    public required string Cron { get; init; }

    /// <summary>The same schedule in Quartz's own dialect (seconds first, Sunday = 1).</summary>
    public required string QuartzCron { get; init; }

    public string TimeZone { get; init; } = "UTC";
    public string Overlap { get; init; } = OverlapSkip;
    public string Misfire { get; init; } = MisfireSkip;

    /// <summary>Tells two schedules apart: equal settings keep a schedule's next fire times across publishes.</summary>
    public string Fingerprint => string.Join('\n', Cron, TimeZone, Overlap, Misfire);

    /// <summary>Reads a trigger's settings; null when they are missing or invalid (a valid published version has valid ones).</summary>
    public static ScheduleCronSettings? Read(JsonObject? settings)
    {
        if (Text(settings?["cron"]) is not { } cron || CronText.ToQuartz(cron, out _) is not { } quartz)
        {
            return null;
        }

        var zone = Text(settings!["timeZone"]) ?? "UTC";
        if (FindTimeZone(zone) is null)
        {
            return null;
        }

        return new ScheduleCronSettings
        {
            Cron = cron,
            QuartzCron = quartz,
            TimeZone = zone,
            Overlap = Text(settings["overlap"]) ?? OverlapSkip,
            Misfire = Text(settings["misfire"]) ?? MisfireSkip,
        };
    }

    public static TimeZoneInfo? FindTimeZone(string name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(name);
        }
        catch (Exception exception) when (exception is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return null;
        }
    }

    /// <summary>What a scheduled run's trigger emits.</summary>
    public static JsonObject Input(DateTimeOffset scheduledAt, DateTimeOffset firedAt) => new()
    {
        ["scheduledAt"] = scheduledAt.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        ["firedAt"] = firedAt.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
    };

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}

/// <summary>
/// Unix cron (Sunday = 0, a restricted day-of-month and day-of-week both match, as crontab(5) says) into Quartz's dialect,
/// which is what the scheduler runs: so validation and firing use one parser and can never disagree.
/// </summary>
public static class CronText
{
    /// <summary>The Quartz expression, or null with <paramref name="error"/> saying what is wrong.</summary>
    public static string? ToQuartz(string cron, out string? error)
    {
        ArgumentNullException.ThrowIfNull(cron);
        var fields = cron.Split(' ', '\t').Where(f => f.Length > 0).ToArray();
        error = null;
        try
        {
            switch (fields.Length)
            {
                case 1 when fields[0].StartsWith('@'):
                case 5:
                    return CronExpression.Parse(string.Join(' ', fields), CronFormat.Unix).CronExpressionString;
                case 6:
                    // Quartz reads crontab's five fields only; the seconds go in front of its rewrite, which starts with a seconds field of its own.
                    var minutesOn = CronExpression.Parse(string.Join(' ', fields[1..]), CronFormat.Unix).CronExpressionString;
                    var quartz = fields[0] + minutesOn[minutesOn.IndexOf(' ', StringComparison.Ordinal)..];
                    return CronExpression.Parse(quartz).CronExpressionString;
                default:
                    error = "must have 5 fields (minute hour day-of-month month day-of-week) or 6 (second first), " +
                        $"not {fields.Length}; e.g. '0 9 * * 1-5' is 09:00 on weekdays";
                    return null;
            }
        }
        catch (Exception exception) when (exception is FormatException or ArgumentException)
        {
            error = $"not a valid cron expression: {exception.Message}";
            return null;
        }
    }
}
