using System.Net;
using Plexus.Server.Tests.Support;

namespace Plexus.Server.Tests.Editor;

/// <summary>The editor at <c>/</c> with index.html for its client-side routes, which never answers for the server's own paths.</summary>
public sealed class EditorHostingSpec(SqliteServer server) : IClassFixture<SqliteServer>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void RequireEditorBuild(HttpResponseMessage root)
    {
        if (root.StatusCode == HttpStatusCode.NotFound && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Skip("the editor is not built: run scripts/web-build.sh");
        }
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/login")]
    [InlineData("/projects/0199a1b2-0000-7000-8000-000000000000/workflows")]
    [InlineData("/orgs/x/api-keys")]
    public async Task Editor_pages_answer_index_html_without_credentials(string path)
    {
        var client = server.CreateClient();
        var answer = await client.GetAsync(new Uri(path, UriKind.Relative), Ct);
        RequireEditorBuild(answer);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("text/html", answer.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<div id=\"root\">", await answer.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/v1/no-such-thing", HttpStatusCode.Unauthorized)]
    [InlineData("/api", HttpStatusCode.Unauthorized)]
    [InlineData("/hubs/executions-typo", HttpStatusCode.Unauthorized)]
    [InlineData("/assets/no-such-file.js", HttpStatusCode.Unauthorized)]
    [InlineData("/p/no-project/prod/hook", HttpStatusCode.NotFound)]
    [InlineData("/health/nothing", HttpStatusCode.Unauthorized)]
    public async Task Server_paths_keep_their_own_answers_and_never_get_the_editor_page(string path, HttpStatusCode status)
    {
        var client = server.CreateClient();
        RequireEditorBuild(await client.GetAsync(new Uri("/", UriKind.Relative), Ct));

        var answer = await client.GetAsync(new Uri(path, UriKind.Relative), Ct);

        Assert.Equal(status, answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Built_assets_are_served_with_a_long_cache_and_index_html_is_revalidated()
    {
        var client = server.CreateClient();
        var root = await client.GetAsync(new Uri("/", UriKind.Relative), Ct);
        RequireEditorBuild(root);
        var html = await root.Content.ReadAsStringAsync(Ct);
        var script = System.Text.RegularExpressions.Regex.Match(html, "src=\"(/assets/[^\"]+\\.js)\"").Groups[1].Value;

        var asset = await client.GetAsync(new Uri(script, UriKind.Relative), Ct);

        Assert.Equal("no-cache", root.Headers.CacheControl?.ToString());
        Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
        Assert.Equal("text/javascript", asset.Content.Headers.ContentType?.MediaType);
        Assert.Contains("immutable", asset.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
    }
}
