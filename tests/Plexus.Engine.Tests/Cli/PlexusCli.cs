using System.Text.Json;
using System.Text.Json.Nodes;
using Plexus.Cli;

namespace Plexus.Engine.Tests.Cli;

/// <summary>What one <c>plexus</c> invocation printed and exited with.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Stdout parsed as one JSON object: fails when anything else is printed there.</summary>
    public JsonObject Json
    {
        get
        {
            using var document = JsonDocument.Parse(Stdout);
            Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
            return JsonNode.Parse(Stdout)!.AsObject();
        }
    }

    public string All => Stdout + Stderr;

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>Runs <c>plexus</c> in-process with captured writers, and finds the example files.</summary>
public static class PlexusCli
{
    public static async Task<CliResult> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await Plexus.Cli.Cli.RunAsync(args, stdout, stderr, TestContext.Current.CancellationToken);
        return new CliResult(exit, stdout.ToString(), stderr.ToString());
    }

    public static string Example(string name) => Path.Combine(AppContext.BaseDirectory, "examples", name);

    /// <summary>Asserts the exit code, showing everything printed when it differs.</summary>
    public static CliResult Exits(this CliResult result, int exitCode)
    {
        Assert.True(result.ExitCode == exitCode, $"expected exit {exitCode}, got {result}");
        return result;
    }

    /// <summary>Exit 2, a message on stderr containing every one of <paramref name="expected"/>, and no stack trace anywhere.</summary>
    public static CliResult RefusesWith(this CliResult result, params string[] expected)
    {
        result.Exits(ExitCodes.BadInput);
        foreach (var text in expected)
        {
            Assert.True(result.Stderr.Contains(text, StringComparison.Ordinal), $"expected stderr to contain \"{text}\", got {result}");
        }

        Assert.DoesNotContain("   at ", result.All, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", result.All, StringComparison.Ordinal);
        return result;
    }

    public static void AssertJson(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"expected {expected}, got {actual?.ToJsonString() ?? "null"}");
}

/// <summary>A folder of workflow files for one test, deleted afterwards.</summary>
public sealed class TempFiles : IDisposable
{
    public TempFiles()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("plexus-cli-").FullName;
    }

    public string Directory { get; }

    public string Write(string name, string content)
    {
        var path = Path.Combine(Directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
