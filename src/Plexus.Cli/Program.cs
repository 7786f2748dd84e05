using System.CommandLine;
using Plexus.Cli.Commands;

namespace Plexus.Cli;

/// <summary>The <c>plexus</c> command line: a table of contents. Each command lives in one file under Commands/.</summary>
public static class Program
{
    /// <summary>Every command <c>plexus</c> knows.</summary>
    public static RootCommand Commands() => new("Plexus: run and check workflow files, look up node types, serve the API, deploy to a server and read its runs and schedules.")
    {
        ValidateCommand.Create(), // plexus validate FILE
        RunCommand.Create(),      // plexus run FILE [--input ...] [--request ...] [--json] [--trace] ...
        NodesCommand.Create(),    // plexus nodes [TYPE]
        ServeCommand.Create(),    // plexus serve [--urls URL] [--database sqlite|postgres] [--connection CS]
        PushCommand.Create(),     // plexus push FILE --server URL --project SLUG [--stage prod] [--key KEY] [--json]
        RunsCommand.Create(),     // plexus runs ls|show ... --server URL [--key KEY]
        SchedulesCommand.Create(), // plexus schedules ls|pause|resume|run --server URL --project SLUG ... [--key KEY]
    };

    public static async Task<int> Main(string[] args)
    {
        // Ctrl+C cancels the run (status cancelled, exit 1) instead of killing the process.
        using var interrupt = ConsoleInterrupt.Listen();
        return await Cli.RunAsync(args, Console.Out, Console.Error, interrupt.Token).ConfigureAwait(false);
    }
}
