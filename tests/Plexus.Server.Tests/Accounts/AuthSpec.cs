using System.Net;
using System.Text;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Plexus.Server.Tests.Support;

namespace Plexus.Server.Tests.Accounts;

/// <summary>Sign-up, login, sessions and what the API answers to bad credentials; on each database.</summary>
public abstract class AuthSpec<TServer>(TServer server) : IClassFixture<TServer> where TServer : PlexusServer
{
    private HttpClient Client()
    {
        if (server.SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }

        return server.CreateClient();
    }

    private static string NewEmail() => $"user-{Guid.NewGuid():n}@example.com";

    [Fact]
    public async Task Signup_answers_tokens_the_user_and_a_personal_organisation_owned_by_them()
    {
        var client = Client();
        var email = NewEmail();

        var answer = await client.PostJsonAsync("/api/v1/auth/signup", new { email, password = Support.Accounts.Password, name = "Ada" });

        var body = await answer.OkJsonAsync(HttpStatusCode.Created);
        Assert.False(string.IsNullOrEmpty(body["accessToken"]!.GetValue<string>()));
        Assert.False(string.IsNullOrEmpty(body["refreshToken"]!.GetValue<string>()));
        Assert.Equal(15 * 60, body["expiresIn"]!.GetValue<int>());
        Assert.Equal(email, body["user"]!["email"]!.GetValue<string>());
        Assert.Equal("Ada", body["user"]!["name"]!.GetValue<string>());
        var orgId = body["organization"]!["id"]!.GetValue<Guid>();
        var org = await server.ClientWithToken(body["accessToken"]!.GetValue<string>()).GetAsync($"/api/v1/orgs/{orgId}", TestContext.Current.CancellationToken);
        Assert.Equal("owner", (await org.OkJsonAsync())["role"]!.GetValue<string>());
    }

    [Fact]
    public async Task Signup_login_refresh_and_logout_make_one_session()
    {
        var client = Client();
        var user = await Support.Accounts.SignUpAsync(client);

        var login = await (await client.PostJsonAsync("/api/v1/auth/login", new { email = user.Email.ToUpperInvariant(), password = user.Password })).OkJsonAsync();
        Assert.Equal(user.OrgId, login["organization"]!["id"]!.GetValue<Guid>());
        var refreshed = await (await client.PostJsonAsync("/api/v1/auth/refresh", new { refreshToken = login["refreshToken"]!.GetValue<string>() })).OkJsonAsync();
        var newRefresh = refreshed["refreshToken"]!.GetValue<string>();
        Assert.NotEqual(login["refreshToken"]!.GetValue<string>(), newRefresh);
        var me = await server.ClientWithToken(refreshed["accessToken"]!.GetValue<string>()).GetAsync("/api/v1/orgs", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);

        var logout = await client.PostJsonAsync("/api/v1/auth/logout", new { refreshToken = newRefresh });
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);

        var afterLogout = await client.PostJsonAsync("/api/v1/auth/refresh", new { refreshToken = newRefresh });
        await afterLogout.ProblemAsync(HttpStatusCode.Unauthorized, "invalid-refresh-token");
    }

    [Fact]
    public async Task Reusing_a_rotated_refresh_token_revokes_its_whole_family()
    {
        var client = Client();
        var user = await Support.Accounts.SignUpAsync(client);
        var first = await (await client.PostJsonAsync("/api/v1/auth/refresh", new { refreshToken = user.RefreshToken })).OkJsonAsync();
        var current = first["refreshToken"]!.GetValue<string>();

        var replay = await client.PostJsonAsync("/api/v1/auth/refresh", new { refreshToken = user.RefreshToken });
        var afterReplay = await client.PostJsonAsync("/api/v1/auth/refresh", new { refreshToken = current });

        await replay.ProblemAsync(HttpStatusCode.Unauthorized, "invalid-refresh-token");
        await afterReplay.ProblemAsync(HttpStatusCode.Unauthorized, "invalid-refresh-token");
    }

    [Fact]
    public async Task An_unknown_refresh_token_is_a_401_problem()
    {
        var answer = await Client().PostJsonAsync("/api/v1/auth/refresh", new { refreshToken = "not-a-token" });

        await answer.ProblemAsync(HttpStatusCode.Unauthorized, "invalid-refresh-token");
    }

    [Fact]
    public async Task Login_failures_answer_one_message_whether_or_not_the_email_exists()
    {
        var client = Client();
        var user = await Support.Accounts.SignUpAsync(client);

        var wrongPassword = await client.PostJsonAsync("/api/v1/auth/login", new { email = user.Email, password = "wrong password!" });
        var unknownEmail = await client.PostJsonAsync("/api/v1/auth/login", new { email = NewEmail(), password = "wrong password!" });

        var a = await wrongPassword.ProblemAsync(HttpStatusCode.Unauthorized, "invalid-credentials");
        var b = await unknownEmail.ProblemAsync(HttpStatusCode.Unauthorized, "invalid-credentials");
        Assert.Equal("email or password is wrong", a["detail"]!.GetValue<string>());
        a.Remove("traceId");
        b.Remove("traceId");
        Assert.Equal(a.ToJsonString(), b.ToJsonString());
    }

    [Fact]
    public async Task Five_failed_logins_lock_the_account_even_for_the_right_password()
    {
        var client = Client();
        var user = await Support.Accounts.SignUpAsync(client);
        for (var i = 0; i < 5; i++)
        {
            var failed = await client.PostJsonAsync("/api/v1/auth/login", new { email = user.Email, password = "wrong password!" });
            await failed.ProblemAsync(HttpStatusCode.Unauthorized, "invalid-credentials");
        }

        var locked = await client.PostJsonAsync("/api/v1/auth/login", new { email = user.Email, password = user.Password });

        await locked.ProblemAsync(HttpStatusCode.Locked, "locked");
    }

    [Fact]
    public async Task The_lock_ends_after_fifteen_minutes()
    {
        Client();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var timed = WithClock(clock);
        var client = timed.CreateClient();
        var user = await Support.Accounts.SignUpAsync(client);
        for (var i = 0; i < 5; i++)
        {
            await client.PostJsonAsync("/api/v1/auth/login", new { email = user.Email, password = "wrong password!" });
        }

        clock.Advance(TimeSpan.FromMinutes(16));
        var login = await client.PostJsonAsync("/api/v1/auth/login", new { email = user.Email, password = user.Password });

        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
    }

    [Fact]
    public async Task A_taken_email_is_a_409_problem()
    {
        var client = Client();
        var user = await Support.Accounts.SignUpAsync(client);

        var again = await client.PostJsonAsync("/api/v1/auth/signup", new { email = user.Email.ToUpperInvariant(), password = Support.Accounts.Password, name = "Again" });

        await again.ProblemAsync(HttpStatusCode.Conflict, "email-taken");
    }

    [Fact]
    public async Task Signup_validation_names_each_field()
    {
        var answer = await Client().PostJsonAsync("/api/v1/auth/signup", new { email = "not-an-email", password = "short", name = "" });

        var problem = await answer.ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation");
        var errors = problem["errors"]!.AsObject();
        Assert.Equal(["email", "name", "password"], errors.Select(e => e.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Malformed_json_is_a_400_problem_with_its_position()
    {
        using var content = new StringContent("{\n  \"email\": \"a@b.c\",,\n}", Encoding.UTF8, "application/json");

        var answer = await Client().PostAsync("/api/v1/auth/signup", content, TestContext.Current.CancellationToken);

        var problem = await answer.ProblemAsync(HttpStatusCode.BadRequest, "invalid-json");
        Assert.Contains("line 2, column", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_a_413_problem()
    {
        var json = "{\"email\":\"" + new string('a', 2 * 1024 * 1024) + "\"}";
        using var content = new StringContent(json, Encoding.UTF8, "application/json");

        var answer = await Client().PostAsync("/api/v1/auth/signup", content, TestContext.Current.CancellationToken);

        await answer.ProblemAsync(HttpStatusCode.RequestEntityTooLarge, "body-too-large");
    }

    [Fact]
    public async Task A_request_without_credentials_is_a_401_problem()
    {
        var answer = await Client().GetAsync("/api/v1/orgs", TestContext.Current.CancellationToken);

        var problem = await answer.ProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains("sign in", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_access_token_is_a_401_problem()
    {
        Client();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var timed = WithClock(clock);
        var user = await Support.Accounts.SignUpAsync(timed.CreateClient());
        var client = timed.ClientWithToken(user.Token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/orgs", TestContext.Current.CancellationToken)).StatusCode);

        clock.Advance(TimeSpan.FromMinutes(16));
        var answer = await client.GetAsync("/api/v1/orgs", TestContext.Current.CancellationToken);

        var problem = await answer.ProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains("expired", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_signed_with_another_key_is_a_401_problem()
    {
        var user = await Support.Accounts.SignUpAsync(Client());
        var original = new JsonWebToken(user.Token);
        var forged = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = original.Issuer,
            Audience = original.Audiences.Single(),
            Claims = new Dictionary<string, object> { ["sub"] = original.Subject },
            Expires = original.ValidTo,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(new byte[64]), SecurityAlgorithms.HmacSha256),
        });

        var answer = await server.ClientWithToken(forged).GetAsync("/api/v1/orgs", TestContext.Current.CancellationToken);

        var problem = await answer.ProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Contains("not valid", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_with_a_changed_payload_is_a_401_problem()
    {
        var user = await Support.Accounts.SignUpAsync(Client());
        var parts = user.Token.Split('.');
        var payload = Base64UrlEncoder.Decode(parts[1]).Replace(user.UserId.ToString(), Guid.NewGuid().ToString(), StringComparison.Ordinal);
        var tampered = $"{parts[0]}.{Base64UrlEncoder.Encode(payload)}.{parts[2]}";

        var answer = await server.ClientWithToken(tampered).GetAsync("/api/v1/orgs", TestContext.Current.CancellationToken);

        await answer.ProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    private WebApplicationFactory<Program> WithClock(TimeProvider clock) =>
        server.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton(clock)));
}

public sealed class AuthOnSqlite(SqliteServer server) : AuthSpec<SqliteServer>(server);

public sealed class AuthOnPostgres(PostgresServer server) : AuthSpec<PostgresServer>(server);
