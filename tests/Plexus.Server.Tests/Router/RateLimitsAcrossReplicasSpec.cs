using System.Net;
using Microsoft.Extensions.Options;
using Plexus.Server.Tests.Projects;
using Plexus.Server.Tests.Support;

namespace Plexus.Server.Tests.Router;

/// <summary>
/// Two replicas on one PostgreSQL and one Redis: a route's rate limit counts the requests both of them take. And a
/// Redis setting that is not a configuration string stops the start.
/// </summary>
public sealed class RateLimitsAcrossReplicas(PostgresRedisServer server) : IClassFixture<PostgresRedisServer>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Limited = """
        { "schema": "plexus/workflow@1", "name": "limited",
          "nodes": [
            { "id": "hook", "type": "http.trigger", "settings": { "method": "GET", "path": "/limited", "rateLimit": { "permitPerMinute": 2 } } },
            { "id": "reply", "type": "http.response", "settings": { "status": 200, "body": "ok" } }
          ],
          "edges": [ { "from": "hook", "to": "reply" } ] }
        """;

    [Fact]
    public async Task A_route_allows_its_limit_across_all_replicas_together()
    {
        if (server.SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }

        var alice = await Member.SignUpAsync(server);
        var slug = Member.NewSlug();
        var project = await alice.CreateProjectAsync(slug);
        await alice.CreateWorkflowAsync(project, "limited", Limited);
        await using var replica = server.Replica();
        using var a = server.CreateClient();
        using var b = replica.CreateClient();
        // The shared window is the clock's minute: keep the four requests inside one.
        var second = DateTimeOffset.UtcNow.Second;
        if (second >= 50)
        {
            await Task.Delay(TimeSpan.FromSeconds(61 - second), Ct);
        }

        var answers = new List<HttpResponseMessage>();
        foreach (var client in new[] { a, b, a, b })
        {
            answers.Add(await client.GetAsync($"/p/{slug}/dev/limited", Ct));
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], answers.Take(2).Select(r => r.StatusCode));
        foreach (var refused in answers.Skip(2))
        {
            await Expect.ProblemAsync(refused, HttpStatusCode.TooManyRequests, "rate-limited");
            Assert.InRange(int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        }
    }

    [Fact]
    public async Task While_redis_cannot_be_reached_each_replica_still_holds_the_limit_on_its_own()
    {
        var own = new SqliteServer();
        await using var _ = own;
        await own.InitializeAsync();
        using (var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            // A port that was free a moment ago: nothing answers there.
            listener.Start();
            own.Configure("Redis:ConnectionString", $"127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port},connectTimeout=500");
        }

        var alice = await Member.SignUpAsync(own);
        var slug = Member.NewSlug();
        var project = await alice.CreateProjectAsync(slug);
        await alice.CreateWorkflowAsync(project, "limited", Limited);
        using var client = own.CreateClient();

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 3; i++)
        {
            answers.Add(await client.GetAsync($"/p/{slug}/dev/limited", Ct));
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], answers.Take(2).Select(r => r.StatusCode));
        await Expect.ProblemAsync(answers[2], HttpStatusCode.TooManyRequests, "rate-limited");
        Assert.Contains(own.Logs.Lines, line => line.Contains("route rate limits are counted per replica", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_redis_setting_that_is_not_a_configuration_string_stops_the_start()
    {
        var own = new SqliteServer();
        await using var _ = own;
        await own.InitializeAsync();
        own.Configure("Redis:ConnectionString", "127.0.0.1:6379,color=blue");

        var failure = Assert.Throws<OptionsValidationException>(() => own.CreateClient());

        Assert.Contains("Redis:ConnectionString", failure.Message, StringComparison.Ordinal);
        Assert.Contains("color", failure.Message, StringComparison.Ordinal);
    }
}
