using Microsoft.Extensions.Options;
using Plexus.Server.Tests.Support;

namespace Plexus.Server.Tests.Queue;

/// <summary>Queue settings are checked when the server starts: a bad one stops it with a message that names it.</summary>
public sealed class QueueSettingsSpec
{
    [Theory]
    [InlineData("Queue:HeartbeatInterval", "00:00:20", "Queue:HeartbeatInterval must be at most half of Queue:LeaseDuration")]
    [InlineData("Queue:Concurrency", "0", "Concurrency")]
    [InlineData("Queue:LeaseDuration", "00:00:00.100", "LeaseDuration")]
    public async Task A_bad_queue_setting_stops_the_start_and_names_the_setting(string key, string value, string expected)
    {
        var server = new SqliteServer();
        await using var _ = server;
        await server.InitializeAsync();
        server.Configure(key, value);

        var failure = Assert.Throws<OptionsValidationException>(() => server.CreateClient());

        Assert.Contains(expected, failure.Message, StringComparison.Ordinal);
    }
}
