using System.Diagnostics;
using Plexus.Cli;
using static Plexus.Engine.Tests.Cli.PlexusCli;

namespace Plexus.Engine.Tests.Cli;

/// <summary>The built <c>plexus.dll</c> as a real child process: exit codes, streams and Ctrl+C end to end.</summary>
public sealed class ProcessTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private readonly TempFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public async Task Greet_answers_with_exit_0_and_one_json_object()
    {
        var run = await Plexus("run", Example("greet.json"), "--request", "POST /hook/42",
            "--body", """{"name":"bench","numbers":[1,2,3,4,5,6,7,8,9,10]}""", "--json");

        run.Exits(ExitCodes.Ok);
        AssertJson("""{"id":"42","sum":55,"greeting":"Hello, bench!"}""", run.Json["response"]!["body"]);
        Assert.Equal("", run.Stderr);
    }

    [Fact]
    public async Task A_missing_file_exits_2_without_a_stack_trace()
    {
        var run = await Plexus("validate", Path.Combine(_files.Directory, "missing.json"));

        run.RefusesWith("plexus: file not found: ");
        Assert.Equal("", run.Stdout);
    }

    [Fact]
    public async Task A_failed_run_exits_1()
    {
        var file = _files.Write("failing.json", """
            {
              "schema": "plexus/workflow@1", "name": "failing",
              "nodes": [ { "id": "start", "type": "trigger.manual" }, { "id": "boom", "type": "flow.fail", "settings": { "message": "no" } } ],
              "edges": [ { "from": "start", "to": "boom" } ]
            }
            """);

        (await Plexus("run", file)).Exits(ExitCodes.RunFailed);
    }

    [Fact]
    public async Task Version_and_help_work()
    {
        var version = (await Plexus("--version")).Exits(ExitCodes.Ok);
        Assert.Matches(@"^\d+\.\d+\.\d+", version.Stdout);

        var help = (await Plexus("run", "--help")).Exits(ExitCodes.Ok);
        foreach (var option in new[] { "--input", "--request", "--header", "--body", "--secrets", "--env", "--resume", "--use-pinned", "--json", "--trace" })
        {
            Assert.Contains(option, help.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Ctrl_c_cancels_the_run_with_exit_1()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "sends SIGINT with kill(1)");
        var file = _files.Write("slow.json", """
            {
              "schema": "plexus/workflow@1", "name": "slow",
              "nodes": [
                { "id": "start", "type": "trigger.manual" },
                { "id": "nap", "type": "flow.wait", "settings": { "mode": "duration", "durationMs": 120000 } }
              ],
              "edges": [ { "from": "start", "to": "nap" } ]
            }
            """);
        using var process = Start("run", file, "--trace", "--json");
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);

        // Wait until the run is sleeping in the wait, then press Ctrl+C.
        string? line;
        while ((line = await process.StandardError.ReadLineAsync(TestContext.Current.CancellationToken)) is not null
            && !line.Contains("#2 nap waiting", StringComparison.Ordinal))
        {
        }

        Assert.NotNull(line);
        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        var rest = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(Limit, TestContext.Current.CancellationToken);

        var run = new CliResult(process.ExitCode, await stdout, await rest);
        run.Exits(ExitCodes.RunFailed);
        Assert.Equal("cancelled", run.Json["status"]!.GetValue<string>());
        Assert.Contains("run.finished", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_starts_the_server_on_sqlite_and_stops_on_ctrl_c()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "sends SIGINT with kill(1)");
        var port = FreePort();
        var database = Path.Combine(_files.Directory, "serve", "plexus.db");
        using var process = Start("serve", "--urls", $"http://127.0.0.1:{port}", "--connection", $"Data Source={database}");
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        string? ready = null;
        for (var i = 0; i < 120 && ready is null && !process.HasExited; i++)
        {
            try
            {
                ready = await http.GetStringAsync("/health/ready", TestContext.Current.CancellationToken);
            }
            catch (HttpRequestException)
            {
                await Task.Delay(250, TestContext.Current.CancellationToken);
            }
        }

        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(Limit, TestContext.Current.CancellationToken);
        Assert.True(ready is not null, $"never ready; output: {await output} {await errors}");
        Assert.Equal("""{"status":"ready"}""", ready);
        Assert.Equal(ExitCodes.Ok, process.ExitCode);
        Assert.True(File.Exists(database));
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<CliResult> Plexus(params string[] args)
    {
        using var process = Start(args);
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(Limit, TestContext.Current.CancellationToken);
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts <c>dotnet plexus.dll ARGS</c> (the CLI that the test project's build copied beside the tests).</summary>
    private static Process Start(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "plexus.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing; the test project references Plexus.Cli");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        return Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
    }
}
