using Plexus.Engine.Tests.Support;
using Plexus.Nodes.Triggers;
using Quartz;

namespace Plexus.Engine.Tests.Validation;

/// <summary>The <c>schedule.cron</c> trigger's cron dialect (crontab's) and its validation.</summary>
public sealed class ScheduleCronTests
{
    private static readonly DateTimeOffset Wednesday = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    private readonly TestEngine _engine = new();

    /// <summary>The next fire times after <see cref="Wednesday"/> (UTC) of a cron as the scheduler reads it.</summary>
    private static List<DateTimeOffset> Next(string cron, int count = 4)
    {
        var quartz = CronText.ToQuartz(cron, out var error) ?? throw new InvalidOperationException(error);
        var expression = new CronExpression(quartz, TimeZoneInfo.Utc);
        var times = new List<DateTimeOffset>();
        for (var after = Wednesday; times.Count < count;)
        {
            after = expression.GetNextValidTimeAfter(after)!.Value;
            times.Add(after);
        }

        return times;
    }

    [Theory]
    [InlineData("0 12 * * 0")]
    [InlineData("0 12 * * 7")]
    [InlineData("0 12 * * SUN")]
    public void Sunday_is_0_or_7_as_in_crontab(string cron) =>
        Assert.All(Next(cron), t => Assert.Equal((DayOfWeek.Sunday, 12), (t.DayOfWeek, t.Hour)));

    [Fact]
    public void Weekdays_are_1_to_5() =>
        Assert.Equal([DayOfWeek.Thursday, DayOfWeek.Friday, DayOfWeek.Monday, DayOfWeek.Tuesday], Next("30 9 * * 1-5").Select(t => t.DayOfWeek));

    [Fact]
    public void Both_day_fields_restricted_fire_on_either_as_in_crontab() =>
        Assert.All(Next("0 12 1 * MON", 6), t => Assert.True(t.Day == 1 || t.DayOfWeek == DayOfWeek.Monday, $"{t:O}"));

    [Fact]
    public void Six_fields_put_seconds_first()
    {
        var times = Next("*/15 * * * * *");

        Assert.Equal([15, 30, 45, 0], times.Select(t => t.Second));
    }

    [Fact]
    public void Macros_are_read_as_crontab_reads_them() =>
        Assert.Equal([11, 12, 13, 14], Next("@hourly").Select(t => t.Hour));

    [Fact]
    public void Invalid_settings_are_refused_at_their_paths()
    {
        var problems = _engine.Validate(new WorkflowBuilder()
            .Node("a", "schedule.cron", """{ "cron": "61 * * * *", "timeZone": "Mars/Olympus" }""")
            .Node("b", "schedule.cron", """{ "cron": "* * * *", "overlap": "sometimes", "misfire": "later" }""")
            .Node("c", "schedule.cron", """{ "timeZone": "Europe/Amsterdam" }""")
            .Build());

        Assert.Equal(
            [
                "nodes[0].settings.cron", "nodes[0].settings.timeZone",
                "nodes[1].settings.cron", "nodes[1].settings.misfire", "nodes[1].settings.overlap",
                "nodes[2].settings.cron",
            ],
            problems.Select(p => p.Path).Order(StringComparer.Ordinal));
        Assert.Contains(problems, p => p.Path == "nodes[1].settings.cron" && p.Message.StartsWith("must have 5 fields", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Path == "nodes[0].settings.timeZone" && p.Message.Contains("Mars/Olympus", StringComparison.Ordinal));
    }

    [Fact]
    public void Valid_settings_pass_and_are_read_with_their_defaults_filled_in()
    {
        var document = new WorkflowBuilder()
            .Node("tick", "schedule.cron", """{ "cron": "0 2 * * *", "timeZone": "Europe/Amsterdam", "overlap": "queue", "misfire": "runOnce" }""")
            .Build();

        Assert.Empty(_engine.Validate(document));
        Assert.Equal("0 2 * * *\nEurope/Amsterdam\nqueue\nrunOnce", ScheduleCronSettings.Read(document.Nodes[0].Settings)!.Fingerprint);
    }
}
