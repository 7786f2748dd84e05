using System.CommandLine;
using System.CommandLine.Invocation;

namespace Plexus.Cli;

/// <summary>Runs <c>plexus</c> with any writers, so that tests can run it in-process.</summary>
public static class Cli
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) =>
        RunAsync(args, stdout, stderr, CancellationToken.None).GetAwaiter().GetResult();

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        try
        {
            // '@file' is how --input, --body, --secrets and --env read files: no response files.
            var parse = Program.Commands().Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
            if (parse.Action is ParseErrorAction)
            {
                foreach (var error in parse.Errors)
                {
                    await stderr.WriteLineAsync($"plexus: {error.Message}").ConfigureAwait(false);
                }

                var command = parse.CommandResult.Command;
                var name = command is RootCommand ? "plexus" : $"plexus {command.Name}";
                await stderr.WriteLineAsync($"Run '{name} --help' for usage.").ConfigureAwait(false);
                return ExitCodes.BadInput;
            }

            var invocation = new InvocationConfiguration
            {
                Output = stdout,
                Error = stderr,
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null, // Program.Main handles Ctrl+C itself
            };
            return await parse.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await stderr.WriteLineAsync("plexus: cancelled").ConfigureAwait(false);
            return ExitCodes.RunFailed;
        }
        catch (Exception e)
        {
            // One line that says what went wrong; the stack trace only when asked for (PLEXUS_DEBUG=1).
            await stderr.WriteLineAsync($"plexus: unexpected error: {OneLine(e.Message)} ({e.GetType().Name})").ConfigureAwait(false);
            if (Environment.GetEnvironmentVariable("PLEXUS_DEBUG") is "1" or "true")
            {
                await stderr.WriteLineAsync(e.ToString()).ConfigureAwait(false);
            }

            return ExitCodes.RunFailed;
        }
    }

    internal static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
