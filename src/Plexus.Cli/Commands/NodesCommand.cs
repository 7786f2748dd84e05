using System.CommandLine;
using Plexus.Engine.Nodes;
using Spectre.Console;

namespace Plexus.Cli.Commands;

/// <summary><c>plexus nodes [TYPE]</c>: the node catalog, or one node type in detail.</summary>
internal static class NodesCommand
{
    public static Command Create()
    {
        var type = new Argument<string?>("TYPE") { Description = "A node type, e.g. http.response; without it, every type is listed.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("nodes", "List the node types, or show one: its ports and its settings (JSON Schema).")
        {
            type,
        };
        command.SetAction(parse =>
        {
            var catalog = Plexus.Nodes.BuiltInNodes.Catalog();
            var stdout = parse.InvocationConfiguration.Output;
            if (parse.GetValue(type) is not { } name)
            {
                List(stdout, catalog);
                return ExitCodes.Ok;
            }

            if (!catalog.TryGet(name, out var nodeType))
            {
                var suggestions = catalog.Suggest(name);
                var hint = suggestions.Count > 0
                    ? $"; did you mean {string.Join(", ", suggestions.Select(s => $"'{s}'"))}?"
                    : "; 'plexus nodes' lists them all";
                parse.InvocationConfiguration.Error.WriteLine($"plexus: unknown node type '{name}'{hint}");
                return ExitCodes.BadInput;
            }

            Show(stdout, nodeType.Info);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void List(TextWriter stdout, NodeCatalog catalog)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("type").AddColumn("category").AddColumn("description");
        foreach (var nodeType in catalog.All)
        {
            var info = nodeType.Info;
            table.AddRow(new Text(info.Type), new Text(info.Category), new Text(info.Description));
        }

        Terminal.For(stdout).Write(table);
    }

    private static void Show(TextWriter stdout, NodeTypeInfo info)
    {
        var console = Terminal.For(stdout);
        void Row(string label, string value) => console.MarkupLine($"[bold]{label,-11}[/]  {Markup.Escape(value)}");

        Row("type", $"{info.Type} (version {info.Version})");
        Row("title", info.Title);
        Row("category", info.Category);
        Row("description", info.Description);
        Row("inputs", info.Inputs.Count == 0 ? "none (a trigger starts the run)" : string.Join(", ", info.Inputs));
        var outputs = string.Join(", ", info.Outputs);
        Row("outputs", info.OutputsFor is null ? $"{outputs}, error" : $"{outputs} (more from its settings), error");
        if (info.IsTrigger)
        {
            Row("trigger", info.SingleInstance ? "yes, at most one per workflow" : "yes");
        }

        console.WriteLine();
        console.WriteLine("settings (JSON Schema):");
        // Plain text, not markup: a schema is full of brackets.
        stdout.WriteLine(info.SettingsSchema.ToJsonString(Display.Indented));
    }
}
