using System.CommandLine;

namespace Plexus.Cli.Commands;

/// <summary><c>plexus validate FILE</c>: parses and checks a workflow file without running it.</summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "The workflow file (JSON) to check." };
        var command = new Command("validate", "Check a workflow file: every problem is printed with its path; exit 2 when there is one.")
        {
            file,
        };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            using var engine = new EngineHost();
            var loaded = WorkflowLoader.Load(parse.GetValue(file)!, engine.Compiler);
            if (loaded.Plan is not { } plan)
            {
                loaded.Report(parse.InvocationConfiguration.Error);
                return ExitCodes.BadInput;
            }

            var document = plan.Document;
            stdout.WriteLine($"valid: {document.Name} ({Count(document.Nodes.Count, "node")}, {Count(document.Edges.Count, "edge")})");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Count(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";
}
