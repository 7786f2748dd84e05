using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Plexus.Server.Tests.Support;

namespace Plexus.Server.Tests.Projects;

/// <summary>Secrets (encrypted, never shown) and environment variables (readable) of a stage; on each database.</summary>
public abstract class SecretsSpec<TServer>(TServer server) : IClassFixture<TServer> where TServer : PlexusServer
{
    private const string Value = "sk-live-7f3a9c1e5b";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<Member> SignUpAsync()
    {
        if (server.SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }

        return await Member.SignUpAsync(server);
    }

    [Fact]
    public async Task A_secret_is_listed_by_name_and_dates_and_its_value_never_appears()
    {
        var alice = await SignUpAsync();
        var project = await alice.CreateProjectAsync();

        var created = await alice.Http.PutAsJsonAsync($"/api/v1/projects/{project}/stages/prod/secrets/STRIPE_KEY", new { value = Value }, Ct);
        var replaced = await alice.Http.PutAsJsonAsync($"/api/v1/projects/{project}/stages/prod/secrets/STRIPE_KEY", new { value = Value + "2" }, Ct);
        var list = await alice.Http.GetAsync($"/api/v1/projects/{project}/stages/prod/secrets", Ct);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        var texts = new[] { await created.Content.ReadAsStringAsync(Ct), await replaced.Content.ReadAsStringAsync(Ct), await list.Content.ReadAsStringAsync(Ct) };
        Assert.All(texts, text => Assert.DoesNotContain(Value, text, StringComparison.Ordinal));
        var item = Assert.Single(JsonNode.Parse(texts[2])!["items"]!.AsArray())!.AsObject();
        Assert.Equal(["createdAt", "name", "updatedAt"], item.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal("STRIPE_KEY", item["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Setting_and_deleting_a_secret_is_audited_without_its_value()
    {
        var alice = await SignUpAsync();
        var project = await alice.CreateProjectAsync();
        await alice.Http.PutAsJsonAsync($"/api/v1/projects/{project}/stages/prod/secrets/TOKEN", new { value = Value }, Ct);
        await alice.Http.DeleteAsync($"/api/v1/projects/{project}/stages/prod/secrets/TOKEN", Ct);

        var audit = await alice.Http.GetStringAsync($"/api/v1/orgs/{alice.OrgId}/audit", Ct);

        Assert.DoesNotContain(Value, audit, StringComparison.Ordinal);
        var actions = JsonNode.Parse(audit)!["items"]!.AsArray().Select(e => e!["action"]!.GetValue<string>()).ToList();
        Assert.Contains("secret.set", actions);
        Assert.Contains("secret.delete", actions);
        Assert.Equal($"{project}/prod/TOKEN", JsonNode.Parse(audit)!["items"]!.AsArray().First(e => e!["action"]!.GetValue<string>() == "secret.set")!["target"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_secret_is_stored_encrypted_with_the_secrets_purpose()
    {
        var alice = await SignUpAsync();
        var project = await alice.CreateProjectAsync();
        await alice.Http.PutAsJsonAsync($"/api/v1/projects/{project}/stages/dev/secrets/TOKEN", new { value = Value }, Ct);

        var stored = await alice.WithDatabaseAsync(db => db.Secrets.Where(s => s.OrganizationId == alice.OrgId).Select(s => s.ProtectedValue).SingleAsync(Ct));

        Assert.DoesNotContain(Value, stored, StringComparison.Ordinal);
        var protector = server.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("plexus.secrets");
        Assert.Equal(Value, protector.Unprotect(stored));
    }

    [Fact]
    public async Task A_secret_is_deleted_and_deleting_it_again_is_a_404()
    {
        var alice = await SignUpAsync();
        var project = await alice.CreateProjectAsync();
        await alice.Http.PutAsJsonAsync($"/api/v1/projects/{project}/stages/dev/secrets/TOKEN", new { value = Value }, Ct);

        var first = await alice.Http.DeleteAsync($"/api/v1/projects/{project}/stages/dev/secrets/TOKEN", Ct);
        var again = await alice.Http.DeleteAsync($"/api/v1/projects/{project}/stages/dev/secrets/TOKEN", Ct);

        Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        await Expect.ProblemAsync(again, HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task A_secret_name_and_value_are_checked()
    {
        var alice = await SignUpAsync();
        var project = await alice.CreateProjectAsync();

        var answer = await alice.Http.PutAsJsonAsync($"/api/v1/projects/{project}/stages/dev/secrets/9LIVES", new { value = (string?)null }, Ct);

        var problem = await Expect.ProblemAsync(answer, HttpStatusCode.UnprocessableEntity, "validation");
        Assert.Equal(["name", "value"], Expect.ErrorPaths(problem));
    }

    [Fact]
    public async Task Secrets_of_an_unknown_stage_are_a_404()
    {
        var alice = await SignUpAsync();
        var project = await alice.CreateProjectAsync();

        var answer = await alice.Http.PutAsJsonAsync($"/api/v1/projects/{project}/stages/qa/secrets/TOKEN", new { value = Value }, Ct);

        await Expect.ProblemAsync(answer, HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task An_editor_lists_secrets_but_only_an_admin_writes_them()
    {
        var alice = await SignUpAsync();
        var project = await alice.CreateProjectAsync();
        var editor = await Member.JoinAsync(server, alice, "editor");
        var admin = await Member.JoinAsync(server, alice, "admin");

        var list = await editor.Http.GetAsync($"/api/v1/projects/{project}/stages/dev/secrets", Ct);
        var write = await editor.Http.PutAsJsonAsync($"/api/v1/projects/{project}/stages/dev/secrets/TOKEN", new { value = Value }, Ct);
        var byAdmin = await admin.Http.PutAsJsonAsync($"/api/v1/projects/{project}/stages/dev/secrets/TOKEN", new { value = Value }, Ct);
        var delete = await editor.Http.DeleteAsync($"/api/v1/projects/{project}/stages/dev/secrets/TOKEN", Ct);

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        await Expect.ProblemAsync(write, HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(HttpStatusCode.Created, byAdmin.StatusCode);
        await Expect.ProblemAsync(delete, HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task A_viewer_cannot_list_secrets()
    {
        var alice = await SignUpAsync();
        var project = await alice.CreateProjectAsync();
        var viewer = await Member.JoinAsync(server, alice, "viewer");

        var answer = await viewer.Http.GetAsync($"/api/v1/projects/{project}/stages/dev/secrets", Ct);

        await Expect.ProblemAsync(answer, HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task Environment_variables_are_set_listed_with_their_values_and_deleted()
    {
        var alice = await SignUpAsync();
        var project = await alice.CreateProjectAsync();

        var created = await alice.Http.PutAsJsonAsync($"/api/v1/projects/{project}/stages/prod/env/REGION", new { value = "eu-west" }, Ct);
        var replaced = await alice.Http.PutAsJsonAsync($"/api/v1/projects/{project}/stages/prod/env/REGION", new { value = "eu-central" }, Ct);
        var list = await alice.Http.GetFromJsonAsync<JsonObject>($"/api/v1/projects/{project}/stages/prod/env", Ct);
        var devList = await alice.Http.GetFromJsonAsync<JsonObject>($"/api/v1/projects/{project}/stages/dev/env", Ct);
        var deleted = await alice.Http.DeleteAsync($"/api/v1/projects/{project}/stages/prod/env/REGION", Ct);

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.OK), (created.StatusCode, replaced.StatusCode));
        var item = Assert.Single(list!["items"]!.AsArray())!;
        Assert.Equal(("REGION", "eu-central"), (item["name"]!.GetValue<string>(), item["value"]!.GetValue<string>()));
        Assert.Empty(devList!["items"]!.AsArray());
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
    }

    [Fact]
    public async Task A_viewer_reads_environment_variables_but_cannot_set_them()
    {
        var alice = await SignUpAsync();
        var project = await alice.CreateProjectAsync();
        var viewer = await Member.JoinAsync(server, alice, "viewer");

        var list = await viewer.Http.GetAsync($"/api/v1/projects/{project}/stages/dev/env", Ct);
        var write = await viewer.Http.PutAsJsonAsync($"/api/v1/projects/{project}/stages/dev/env/REGION", new { value = "eu" }, Ct);

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        await Expect.ProblemAsync(write, HttpStatusCode.Forbidden, "forbidden");
    }
}

public sealed class SecretsOnSqlite(SqliteServer server) : SecretsSpec<SqliteServer>(server);

public sealed class SecretsOnPostgres(PostgresServer server) : SecretsSpec<PostgresServer>(server);
