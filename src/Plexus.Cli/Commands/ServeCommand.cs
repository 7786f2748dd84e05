using System.CommandLine;
using Plexus.Server;

namespace Plexus.Cli.Commands;

/// <summary>
/// <c>plexus serve</c>: the server, as <c>scripts/start.sh</c> starts it (SQLite under ./data, http://127.0.0.1:5080).
/// Other server settings pass through as <c>--Section:Key value</c>, e.g. <c>--Auth:AccessTokenMinutes 5</c>.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string?>("--urls") { Description = "Where to listen, e.g. http://127.0.0.1:8080 (default http://127.0.0.1:5080)." };
        var database = new Option<string?>("--database") { Description = "sqlite (default) or postgres." };
        var connection = new Option<string?>("--connection") { Description = "The database connection string (SQLite default: Data Source=./data/plexus.db)." };
        var command = new Command("serve", "Start the Plexus server (API, router, editor).")
        {
            urls,
            database,
            connection,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, _) =>
        {
            var settings = new List<string>();
            Add(settings, "--Urls", parse.GetValue(urls));
            Add(settings, "--Database:Provider", parse.GetValue(database));
            Add(settings, "--Database:ConnectionString", parse.GetValue(connection));
            settings.AddRange(parse.UnmatchedTokens);

            // The server stops itself on Ctrl+C and SIGTERM (gracefully: queued records are written first).
            await PlexusServerHost.RunAsync([.. settings]).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Add(List<string> settings, string key, string? value)
    {
        if (value is not null)
        {
            settings.Add(key);
            settings.Add(value);
        }
    }
}
