using System.Text.Json.Nodes;
using Plexus.Cli;
using static Plexus.Engine.Tests.Cli.PlexusCli;

namespace Plexus.Engine.Tests.Cli;

/// <summary>Every workflow in examples/ runs through <c>plexus run</c> with the result the docs promise.</summary>
public sealed class ExampleTests
{
    [Fact]
    public async Task Hello_returns_the_greeting()
    {
        var run = (await RunAsync("run", Example("hello.json"), "--json")).Exits(ExitCodes.Ok);

        Assert.Equal("succeeded", run.Json["status"]?.GetValue<string>());
        AssertJson("""{"greeting":"Hello, world!","length":5}""", run.Json["result"]);
    }

    [Fact]
    public async Task Hello_in_human_form_shows_status_result_and_a_table_of_node_runs()
    {
        var run = (await RunAsync("run", Example("hello.json"))).Exits(ExitCodes.Ok);

        Assert.Contains("succeeded", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("""{"greeting":"Hello, world!","length":5}""", run.Stdout, StringComparison.Ordinal);
        foreach (var column in new[] { "node", "type", "status", "attempts", "duration" })
        {
            Assert.Contains(column, run.Stdout, StringComparison.Ordinal);
        }

        foreach (var node in new[] { "start", "greet", "done" })
        {
            Assert.Contains(node, run.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Greet_answers_the_request_it_is_given()
    {
        var run = (await RunAsync("run", Example("greet.json"), "--request", "POST /hook/42",
            "--body", """{"name":"bench","numbers":[1,2,3,4,5,6,7,8,9,10]}""", "--json")).Exits(ExitCodes.Ok);

        var response = run.Json["response"]!;
        Assert.Equal(200, response["status"]!.GetValue<int>());
        AssertJson("""{"id":"42","sum":55,"greeting":"Hello, bench!"}""", response["body"]);
    }

    [Fact]
    public async Task Greet_shows_its_response_in_human_form()
    {
        var run = (await RunAsync("run", Example("greet.json"), "--request", "POST /hook/7",
            "--body", """{"name":"you","numbers":[1,2]}""")).Exits(ExitCodes.Ok);

        Assert.Contains("""200 {"id":"7","sum":3,"greeting":"Hello, you!"}""", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pixel_answers_a_png_and_sets_the_visitor_cookie()
    {
        var run = (await RunAsync("run", Example("pixel.json"), "--request", "GET /pixel.png?visitor=ada", "--json")).Exits(ExitCodes.Ok);

        var response = run.Json["response"]!;
        Assert.Equal("image/png", response["headers"]!["content-type"]!.GetValue<string>());
        Assert.StartsWith("iVBORw0KGgo", response["body"]!["base64"]!.GetValue<string>(), StringComparison.Ordinal);
        AssertJson("""["visitor=ada; Path=/; Max-Age=86400; HttpOnly; SameSite=Lax"]""", response["cookies"]);
    }

    [Fact]
    public async Task Pixel_in_human_form_sums_up_the_binary_body_and_shows_the_cookie()
    {
        var run = (await RunAsync("run", Example("pixel.json"), "--request", "GET /pixel.png")).Exits(ExitCodes.Ok);

        Assert.Contains("200 image/png, 70 bytes", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("visitor=anonymous; Path=/; Max-Age=86400; HttpOnly; SameSite=Lax", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Branching_takes_the_medium_branch()
    {
        var run = (await RunAsync("run", Example("branching.json"), "--json")).Exits(ExitCodes.Ok);

        AssertJson("""{"size":"medium","order":"A-17"}""", run.Json["result"]);
        var statuses = Nodes(run).ToDictionary(n => n["nodeId"]!.GetValue<string>(), n => n["status"]!.GetValue<string>());
        Assert.Equal("skipped", statuses["big"]);
        Assert.Equal("skipped", statuses["small"]);
    }

    [Fact]
    public async Task Loop_squares_the_odd_numbers_until_the_break()
    {
        var run = (await RunAsync("run", Example("loop.json"), "--json")).Exits(ExitCodes.Ok);

        AssertJson("""{"squares":[1,9,25,49]}""", run.Json["result"]);
    }

    [Fact]
    public async Task Retry_tries_three_times_then_takes_the_error_port()
    {
        var run = (await RunAsync("run", Example("retry.json"), "--json")).Exits(ExitCodes.Ok);

        var flaky = Assert.Single(Nodes(run), n => n["nodeId"]!.GetValue<string>() == "flaky");
        Assert.Equal("failed", flaky["status"]!.GetValue<string>());
        Assert.Equal(3, flaky["attempts"]!.GetValue<int>());
        var result = run.Json["result"]!;
        Assert.False(result["ok"]!.GetValue<bool>());
        Assert.Equal("service unavailable", result["reason"]!.GetValue<string>());
        // The flaky node's console.log lines go to stderr, one per try.
        Assert.Equal(3, run.Stderr.Split('\n').Count(l => l.Contains("calling http://127.0.0.1:9/unreachable", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Approval_without_an_answer_ends_waiting_with_a_resume_token()
    {
        var run = (await RunAsync("run", Example("approval.json"), "--json")).Exits(ExitCodes.Ok);

        Assert.Equal("waiting", run.Json["status"]!.GetValue<string>());
        var wait = Assert.Single(run.Json["waits"]!.AsArray())!;
        Assert.Equal("approval", wait["node"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(wait["token"]!.GetValue<string>()));
        var node = Assert.Single(Nodes(run), n => n["nodeId"]!.GetValue<string>() == "approval");
        Assert.Equal("waiting", node["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Approval_in_human_form_names_the_waiting_node_and_its_token()
    {
        var run = (await RunAsync("run", Example("approval.json"))).Exits(ExitCodes.Ok);

        Assert.Contains("waiting", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("node 'approval' waits to be resumed; resume token ", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("--resume 'approval=<JSON>'", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Human_form_never_wraps_a_long_file_path_or_the_resume_command()
    {
        var folder = Path.Combine(Path.GetTempPath(), "plexus-" + new string('d', 120), Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            var file = Path.Combine(folder, "approval.json");
            File.Copy(Example("approval.json"), file);

            var run = (await RunAsync("run", file)).Exits(ExitCodes.Ok);

            Assert.Contains($"plexus run {file} --resume 'approval=<JSON>'", run.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Approval_answered_with_resume_returns_the_decision()
    {
        var run = (await RunAsync("run", Example("approval.json"), "--resume", """approval={"approved":true}""", "--json")).Exits(ExitCodes.Ok);

        Assert.Equal("succeeded", run.Json["status"]!.GetValue<string>());
        Assert.Equal("approved", run.Json["result"]!["decision"]!.GetValue<string>());
        Assert.Equal("laptop", run.Json["result"]!["expense"]!.GetValue<string>());
    }

    [Fact]
    public async Task Approval_answered_no_returns_rejected()
    {
        var run = (await RunAsync("run", Example("approval.json"), "--resume", """approval={"approved":false}""", "--json")).Exits(ExitCodes.Ok);

        Assert.Equal("rejected", run.Json["result"]!["decision"]!.GetValue<string>());
    }

    [Fact]
    public async Task Call_runs_the_blueprint_beside_it()
    {
        var run = (await RunAsync("run", Example("call.json"), "--json")).Exits(ExitCodes.Ok);

        AssertJson("""{"doubled":42}""", run.Json["result"]);
    }

    [Fact]
    public async Task The_blueprint_runs_on_its_own_with_its_default_input()
    {
        var run = (await RunAsync("run", Example("double.json"), "--json")).Exits(ExitCodes.Ok);

        AssertJson("""{"doubled":2}""", run.Json["result"]);
    }

    [Fact]
    public async Task The_nightly_report_run_by_hand_reports_for_now()
    {
        var run = (await RunAsync("run", Example("nightly-report.json"), "--json")).Exits(ExitCodes.Ok);

        var result = run.Json["result"]!.GetValue<string>();
        Assert.StartsWith("report for ", result, StringComparison.Ordinal);
        var at = DateTimeOffset.Parse(result["report for ".Length..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(DateTimeOffset.UtcNow - at, TimeSpan.Zero, TimeSpan.FromMinutes(1));
    }

    [Theory]
    [InlineData("hello.json", "valid: hello (3 nodes, 2 edges)")]
    [InlineData("greet.json", "valid: greet (3 nodes, 2 edges)")]
    [InlineData("branching.json", "valid: branching (8 nodes, 9 edges)")]
    [InlineData("loop.json", "valid: loop (9 nodes, 8 edges)")]
    [InlineData("retry.json", "valid: retry (4 nodes, 4 edges)")]
    [InlineData("approval.json", "valid: approval (5 nodes, 4 edges)")]
    [InlineData("call.json", "valid: call (3 nodes, 2 edges)")]
    [InlineData("double.json", "valid: double (2 nodes, 1 edge)")]
    [InlineData("pixel.json", "valid: pixel (2 nodes, 1 edge)")]
    [InlineData("nightly-report.json", "valid: nightly-report (2 nodes, 1 edge)")]
    public async Task Every_example_is_valid(string file, string expected)
    {
        var run = (await RunAsync("validate", Example(file))).Exits(ExitCodes.Ok);

        Assert.Equal(expected, run.Stdout.Trim());
        Assert.Equal("", run.Stderr);
    }

    [Fact]
    public void Every_example_is_covered_here()
    {
        var examples = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "examples"), "*.json").Select(Path.GetFileName).Order();

        Assert.Equal(["approval.json", "branching.json", "call.json", "double.json", "greet.json", "hello.json", "loop.json", "nightly-report.json", "pixel.json", "retry.json"], examples);
    }

    private static IEnumerable<JsonNode> Nodes(CliResult run) => run.Json["nodes"]!.AsArray().Select(n => n!);
}
