using System.Text.Json.Nodes;

namespace Plexus.Cli.Remote;

/// <summary>Small helpers shared by the commands that talk to a server.</summary>
internal static class Wire
{
    public static string Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : node?.ToJsonString() ?? "";

    /// <summary>Prints the argument errors and answers exit 2.</summary>
    public static async Task<int> ReportAsync(Arguments arguments, TextWriter stderr)
    {
        foreach (var error in arguments.Errors)
        {
            await stderr.WriteLineAsync($"plexus: {error}").ConfigureAwait(false);
        }

        return ExitCodes.BadInput;
    }
}
