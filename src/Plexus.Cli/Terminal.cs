using Spectre.Console;

namespace Plexus.Cli;

/// <summary>A Spectre console over any writer: colors and terminal width on a real terminal, plain text elsewhere.</summary>
internal static class Terminal
{
    /// <summary>Wide enough that tables do not wrap JSON previews when the output goes to a file or a pipe.</summary>
    private const int RedirectedWidth = 160;

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
