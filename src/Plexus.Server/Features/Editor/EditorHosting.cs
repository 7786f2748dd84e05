namespace Plexus.Server.Features.Editor;

/// <summary>
/// Serves the web editor (built by <c>web/</c> into <c>wwwroot</c>) at <c>/</c>, with index.html for its client-side routes.
/// </summary>
public static class EditorHosting
{
    /// <summary>
    /// Client-side routes never start with these: a miss under them stays the API's, router's or framework's own answer
    /// (401, 404 problem), so a typo in an API call never comes back as a 200 HTML page.
    /// </summary>
    private const string ServerPaths = "api|p|openapi|health|hubs";

    /// <summary>The editor's pages: any path that is not a file and not under <see cref="ServerPaths"/>.</summary>
    internal const string PagesPattern = "{*path:nonfile:regex(^(?!(" + ServerPaths + ")(/|$)))}";

    /// <summary>
    /// Where the built editor is when the content root (the working directory, or the project folder under tests and
    /// <c>dotnet run</c>) has none: the copy next to the assembly, so <c>scripts/start.sh</c> and <c>plexus serve</c> find
    /// it from any working directory. Null keeps the default, the content root's <c>wwwroot</c>.
    /// </summary>
    public static string? LocateWebRoot()
    {
        var besideAssembly = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        return !File.Exists(Path.Combine(Directory.GetCurrentDirectory(), "wwwroot", "index.html")) && File.Exists(Path.Combine(besideAssembly, "index.html"))
            ? besideAssembly
            : null;
    }

    /// <summary>Static files before authentication: the editor's files are public, its data comes from the API.</summary>
    public static WebApplication UseEditorFiles(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions
        {
            // Hashed asset names change with every build; index.html must not be cached or a new build is missed.
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl =
                context.Context.Request.Path.StartsWithSegments("/assets", StringComparison.Ordinal) ? "public, max-age=31536000, immutable" : "no-cache",
        });
        return app;
    }

    public static WebApplication MapEditorFallback(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapFallbackToFile(PagesPattern, "index.html")
            .AllowAnonymous()
            .ExcludeFromDescription();
        return app;
    }
}
