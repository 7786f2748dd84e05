using Plexus.Cli;
using static Plexus.Engine.Tests.Cli.PlexusCli;

namespace Plexus.Engine.Tests.Cli;

/// <summary>A secret's value never reaches stdout or stderr, whatever the output mode.</summary>
public sealed class SecretTests : IDisposable
{
    private const string Secret = "s3cr3t-Value-9b1f";
    private readonly TempFiles _files = new();
    private readonly string _workflow;
    private readonly string _secrets;

    public SecretTests()
    {
        // The secret goes into a literal setting (placeholder), into code (secret()), into a log line, the
        // result, the node outputs, the HTTP response and finally into a failure message.
        _workflow = _files.Write("secretive.json", """
            {
              "schema": "plexus/workflow@1",
              "name": "secretive",
              "nodes": [
                { "id": "start", "type": "trigger.manual", "settings": { "input": { "user": "ada" } } },
                { "id": "header", "type": "data.set", "settings": { "value": { "authorization": "Bearer <secret:token>" } } },
                { "id": "code", "type": "code.js", "settings": { "source": "console.log('token is ' + secret('token')); return { token: secret('token'), auth: input.authorization }" } },
                { "id": "reply", "type": "http.response", "settings": { "status": 200, "headers": { "x-token": "<secret:token>" }, "body": "={{ input }}" } },
                { "id": "done", "type": "flow.return", "settings": { "value": "={{ input.body }}" } },
                { "id": "boom", "type": "flow.fail", "settings": { "message": "={{ 'leaked ' + secret('token') }}" } }
              ],
              "edges": [
                { "from": "start", "to": "header" },
                { "from": "header", "to": "code" },
                { "from": "code", "to": "reply" },
                { "from": "reply", "to": "done" },
                { "from": "done", "to": "boom" }
              ]
            }
            """);
        _secrets = "@" + _files.Write("secrets.json", $$"""{ "token": "{{Secret}}" }""");
    }

    public void Dispose() => _files.Dispose();

    [Theory]
    [InlineData("--json")]
    [InlineData("--trace")]
    [InlineData("--json", "--trace")]
    [InlineData("--use-pinned")]
    public async Task The_secret_never_appears_in_the_output(params string[] options)
    {
        var run = (await RunAsync(["run", _workflow, "--secrets", _secrets, .. options])).Exits(ExitCodes.RunFailed);

        Assert.DoesNotContain(Secret, run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, run.Stderr, StringComparison.Ordinal);
        Assert.Contains("***", run.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_run_used_the_secret_where_it_was_asked_for()
    {
        var run = (await RunAsync("run", _workflow, "--secrets", _secrets, "--json")).Exits(ExitCodes.RunFailed);

        Assert.Equal("failed", run.Json["status"]!.GetValue<string>());
        Assert.Equal("leaked ***", run.Json["error"]!["message"]!.GetValue<string>());
        Assert.Equal("Bearer ***", run.Json["result"]!["auth"]!.GetValue<string>());
        Assert.Equal("***", run.Json["result"]!["token"]!.GetValue<string>());
        Assert.Equal("***", run.Json["response"]!["headers"]!["x-token"]!.GetValue<string>());
        Assert.Contains("log code #3: token is ***", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--json")]
    [InlineData("--trace")]
    public async Task A_secret_returned_by_a_called_blueprint_is_masked_too(string option)
    {
        // The blueprint's run resolves the secret, so the calling run does not know its result holds one.
        var caller = _files.Write("caller.json", """
            {
              "schema": "plexus/workflow@1", "name": "caller",
              "nodes": [
                { "id": "start", "type": "trigger.manual" },
                { "id": "call", "type": "flow.call", "settings": { "workflow": "credentials" } },
                { "id": "done", "type": "flow.return" }
              ],
              "edges": [ { "from": "start", "to": "call" }, { "from": "call", "to": "done" } ]
            }
            """);
        _files.Write("credentials.json", """
            {
              "schema": "plexus/workflow@1", "name": "credentials", "kind": "blueprint",
              "nodes": [
                { "id": "start", "type": "trigger.manual" },
                { "id": "give", "type": "flow.return", "settings": { "value": { "auth": "Bearer <secret:token>" } } }
              ],
              "edges": [ { "from": "start", "to": "give" } ]
            }
            """);

        var run = (await RunAsync("run", caller, "--secrets", _secrets, option)).Exits(ExitCodes.Ok);

        Assert.DoesNotContain(Secret, run.All, StringComparison.Ordinal);
        Assert.Contains("Bearer ***", run.All, StringComparison.Ordinal);
    }
}
