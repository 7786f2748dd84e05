using System.Net;
using Plexus.Server.Tests.Support;

namespace Plexus.Server.Tests.Accounts;

/// <summary>A restarted server (a new host on the same database) keeps accounts, sessions, keys and its signing key.</summary>
public abstract class RestartSpec<TServer>(TServer server) : IClassFixture<TServer> where TServer : PlexusServer
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sessions_keys_and_tokens_survive_a_restart()
    {
        if (server.SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }

        SignedUp user;
        string key;
        await using (var before = server.WithWebHostBuilder(_ => { }))
        {
            user = await Support.Accounts.SignUpAsync(before.CreateClient());
            key = await Support.Accounts.CreateApiKeyAsync(before.ClientWithToken(user.Token), user.OrgId, "workflows:read");
        }

        await using var after = server.WithWebHostBuilder(_ => { });
        var withOldToken = await after.ClientWithToken(user.Token).GetAsync($"/api/v1/orgs/{user.OrgId}", Ct);
        var withKey = await after.ClientWithApiKey(key).GetAsync($"/api/v1/orgs/{user.OrgId}", Ct);
        var refresh = await after.CreateClient().PostJsonAsync("/api/v1/auth/refresh", new { refreshToken = user.RefreshToken });
        var login = await after.CreateClient().PostJsonAsync("/api/v1/auth/login", new { email = user.Email, password = user.Password });

        Assert.Equal(HttpStatusCode.OK, withOldToken.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);
        Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
    }
}

public sealed class RestartOnSqlite(SqliteServer server) : RestartSpec<SqliteServer>(server);

public sealed class RestartOnPostgres(PostgresServer server) : RestartSpec<PostgresServer>(server);
