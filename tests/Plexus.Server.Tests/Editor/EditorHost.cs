using System.Net;
using System.Text;
using Microsoft.Playwright;
using Plexus.Server.Tests.Support;

namespace Plexus.Server.Tests.Editor;

/// <summary>
/// The real server on Kestrel (a real port on 127.0.0.1, SQLite) with the built editor, and Debian's Chromium driven by
/// Playwright: Playwright's own browser download needs a network this project does not have. Without Chromium or the
/// editor's build the tests skip locally and fail under <c>CI=true</c>, so CI cannot pass by skipping.
/// </summary>
public sealed class EditorHost : IAsyncLifetime
{
    private const string ChromiumPath = "/usr/bin/chromium";
    private readonly SqliteServer _server = new();
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public string Url { get; private set; } = "";

    public string? SkipReason { get; private set; }

    public SqliteServer Server => _server;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException(SkipReason ?? "the browser has not started");

    /// <summary>Screenshots go to <c>artifacts/screenshots</c> (<c>PLEXUS_ARTIFACTS</c> when scripts/test.sh sets it).</summary>
    public static string ScreenshotFolder { get; } = Path.Combine(
        Environment.GetEnvironmentVariable("PLEXUS_ARTIFACTS") is { Length: > 0 } artifacts ? artifacts : Path.Combine(RepositoryRoot(), "artifacts"),
        "screenshots");

    public async ValueTask InitializeAsync()
    {
        await _server.InitializeAsync();
        SkipReason = !File.Exists(ChromiumPath) ? $"{ChromiumPath} is missing: run scripts/install-system-deps.sh"
            : !EditorBuilt() ? "the editor is not built: run scripts/web-build.sh"
            : null;
        if (SkipReason is not null)
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"{SkipReason} (CI=true: browser tests must run)");
            }

            return;
        }

        // CI machines are shared and busy: a page that is right after 6 s is still right (the default is 5 s).
        Microsoft.Playwright.Assertions.SetDefaultExpectTimeout(20_000);
        _server.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _server.StartServer();
        Url = _server.ClientOptions.BaseAddress.ToString().TrimEnd('/');
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"],
        });
        Directory.CreateDirectory(ScreenshotFolder);
    }

    /// <summary>
    /// A fresh browser context (its own storage) at 1440×900, optionally signed in with a sign-up answer; the system's
    /// colour preference is light unless <paramref name="colorScheme"/> says otherwise.
    /// </summary>
    public async Task<IPage> NewPageAsync(string? session = null, ColorScheme colorScheme = ColorScheme.Light)
    {
        if (SkipReason is { } reason)
        {
            Assert.Skip(reason);
        }

        var context = await Browser.NewContextAsync(new() { BaseURL = Url, ViewportSize = new() { Width = 1440, Height = 900 }, ColorScheme = colorScheme });
        context.SetDefaultTimeout(30_000);
        if (session is not null)
        {
            await context.AddInitScriptAsync($"localStorage.getItem('plexus.session') || localStorage.setItem('plexus.session', {System.Text.Json.JsonSerializer.Serialize(session)});");
        }

        return await context.NewPageAsync();
    }

    /// <summary>Signs a new user up through the API; answers the raw sign-up answer (what the editor keeps as its session).</summary>
    public async Task<string> SignUpAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri(Url) };
        var email = $"user-{Guid.NewGuid():n}@example.com";
        using var body = new StringContent(
            $$"""{"email":"{{email}}","password":"{{Support.Accounts.Password}}","name":"Grace"}""", Encoding.UTF8, "application/json");
        var answer = await http.PostAsync(new Uri("/api/v1/auth/signup", UriKind.Relative), body, TestContext.Current.CancellationToken);
        var text = await answer.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(answer.IsSuccessStatusCode, text);
        return text;
    }

    public static Task ShotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotFolder, name + ".png") });

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
        await _server.DisposeAsync();
    }

    private static bool EditorBuilt() =>
        File.Exists(Path.Combine(RepositoryRoot(), "src", "Plexus.Server", "wwwroot", "index.html"));

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Plexus.slnx")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("Plexus.slnx not found above " + AppContext.BaseDirectory);
    }
}
