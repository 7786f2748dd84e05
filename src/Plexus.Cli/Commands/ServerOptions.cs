using System.CommandLine;
using Plexus.Cli.Remote;

namespace Plexus.Cli.Commands;

/// <summary>--server, --key and --json, and the error handling every server call shares.</summary>
internal sealed class ServerOptions
{
    public Option<string> Server { get; } = new("--server") { Description = "The Plexus server, e.g. http://127.0.0.1:5080.", Required = true, HelpName = "URL" };

    public Option<string?> Key { get; } = new("--key") { Description = "An API key with workflows:read (default: $PLEXUS_API_KEY).", HelpName = "KEY" };

    public Option<bool> Json { get; } = new("--json") { Description = "Print the server's answer as JSON." };

    public async Task<int> CallAsync(ParseResult parse, Func<PlexusApi, TextWriter, Task<int>> call)
    {
        var stderr = parse.InvocationConfiguration.Error;
        var arguments = new Arguments();
        using var api = PlexusApi.Connect(parse.GetValue(Server), parse.GetValue(Key), arguments);
        if (api is null)
        {
            return await Wire.ReportAsync(arguments, stderr).ConfigureAwait(false);
        }

        try
        {
            return await call(api, parse.InvocationConfiguration.Output).ConfigureAwait(false);
        }
        catch (ApiException e)
        {
            await e.ReportAsync(stderr).ConfigureAwait(false);
            return e.ExitCode;
        }
    }
}
