using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Plexus.Server.Tests.Support;

/// <summary>A user made by <see cref="Accounts.SignUpAsync"/>: their access token and personal organisation, and the rest.</summary>
public sealed record SignedUp(string Token, Guid OrgId, Guid UserId, string Email, string Password, string RefreshToken)
{
    /// <summary><c>var (token, orgId) = await Accounts.SignUpAsync(client);</c></summary>
    public void Deconstruct(out string token, out Guid orgId)
    {
        token = Token;
        orgId = OrgId;
    }
}

/// <summary>Getting signed in from a test: sign up a fresh user, make clients that send a token or an API key.</summary>
public static class Accounts
{
    public const string Password = "correct horse battery";

    /// <summary>Signs up a new user (a unique email unless given) and answers their token and personal organisation.</summary>
    public static async Task<SignedUp> SignUpAsync(HttpClient client, string? email = null, string name = "Test User", string password = Password)
    {
        ArgumentNullException.ThrowIfNull(client);
        email ??= $"user-{Guid.NewGuid():n}@example.com";
        var response = await client.PostAsJsonAsync("/api/v1/auth/signup", new { email, password, name }, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"signup answered {(int)response.StatusCode}: {body}");
        }

        return new SignedUp(
            body!["accessToken"]!.GetValue<string>(),
            body["organization"]!["id"]!.GetValue<Guid>(),
            body["user"]!["id"]!.GetValue<Guid>(),
            email,
            password,
            body["refreshToken"]!.GetValue<string>());
    }

    /// <summary>Signs up a new user on <paramref name="server"/> and answers a client that sends their token, with the user.</summary>
    public static async Task<(HttpClient Client, SignedUp User)> SignedInClientAsync(this WebApplicationFactory<Program> server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var user = await SignUpAsync(server.CreateClient());
        return (server.ClientWithToken(user.Token), user);
    }

    /// <summary>A client that sends <c>Authorization: Bearer <paramref name="token"/></c> (an access token or a <c>plx_</c> API key).</summary>
    public static HttpClient ClientWithToken(this WebApplicationFactory<Program> server, string token)
    {
        ArgumentNullException.ThrowIfNull(server);
        var client = server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>A client that sends <c>X-API-Key: <paramref name="key"/></c>.</summary>
    public static HttpClient ClientWithApiKey(this WebApplicationFactory<Program> server, string key)
    {
        ArgumentNullException.ThrowIfNull(server);
        var client = server.CreateClient();
        client.DefaultRequestHeaders.Add("X-API-Key", key);
        return client;
    }

    /// <summary>Creates an API key of <paramref name="orgId"/> with the scopes (all of them when none are given); answers the secret key.</summary>
    public static async Task<string> CreateApiKeyAsync(HttpClient signedIn, Guid orgId, params string[] scopes)
    {
        ArgumentNullException.ThrowIfNull(signedIn);
        if (scopes.Length == 0)
        {
            scopes = ["workflows:read", "workflows:write", "executions:run", "routes:invoke", "admin"];
        }

        var response = await signedIn.PostAsJsonAsync($"/api/v1/orgs/{orgId}/api-keys", new { name = "test key", scopes }, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"creating an API key answered {(int)response.StatusCode}: {body}");
        }

        return body!["key"]!.GetValue<string>();
    }

    /// <summary>Adds an existing user to an organisation with a role (the caller must be an admin there).</summary>
    public static async Task AddMemberAsync(HttpClient signedIn, Guid orgId, string email, string role)
    {
        ArgumentNullException.ThrowIfNull(signedIn);
        var response = await signedIn.PostAsJsonAsync($"/api/v1/orgs/{orgId}/members", new { email, role }, TestContext.Current.CancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"adding a member answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }
}
