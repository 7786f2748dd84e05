using Spectre.Console;

namespace Plexus.Cli;

/// <summary>A Spectre console over any writer: colors and terminal width on a real terminal, plain text elsewhere.</summary>
internal static class Terminal
{
    /// <summary>
    /// Output to a file or a pipe is never wrapped: a wrapped file path or resume command could not be copied or
    /// searched, and table cells are already bounded by their previews.
    /// </summary>
    private const int RedirectedWidth = 4096;

    public static IAnsiConsole For(TextWriter writer)
    {
        var target = writer is MaskingWriter masking ? masking.Inner : writer;
        var terminal = ReferenceEquals(target, Console.Out) && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        if (!terminal)
        {
            console.Profile.Width = RedirectedWidth;
        }

        return console;
    }
}
