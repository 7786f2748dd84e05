using Plexus.Engine.Execution;
using Plexus.Engine.Validation;
using Plexus.Engine.Workflows;

namespace Plexus.Cli;

/// <summary>A workflow file read, parsed and compiled; or why it could not be.</summary>
internal sealed record LoadedWorkflow(string Path, ExecutionPlan? Plan, string? Failure, IReadOnlyList<Problem> Problems)
{
    public bool Succeeded => Plan is not null;

    /// <summary>Tells what is wrong: one line, or a heading and every problem with its path, one per line.</summary>
    public void Report(TextWriter stderr)
    {
        if (Failure is not null)
        {
            stderr.WriteLine($"plexus: {Failure}");
            return;
        }

        var count = Problems.Count == 1 ? "1 problem" : $"{Problems.Count} problems";
        stderr.WriteLine($"plexus: {Path} is not a valid workflow ({count}):");
        foreach (var problem in Problems)
        {
            stderr.WriteLine(problem.ToString());
        }
    }
}

/// <summary>Reads workflow files: parse (JSON errors with line and column), then validate and compile.</summary>
internal static class WorkflowLoader
{
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    public static LoadedWorkflow Load(string path, WorkflowCompiler compiler)
    {
        if (Directory.Exists(path))
        {
            return Fail(path, $"{path} is a directory, not a workflow file");
        }

        if (!File.Exists(path))
        {
            return Fail(path, $"file not found: {path}");
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail(path, $"cannot read {path}: {Cli.OneLine(e.Message)}");
        }

        var utf8 = bytes.AsSpan();
        if (utf8.StartsWith(Bom))
        {
            utf8 = utf8[Bom.Length..];
        }

        var parsed = WorkflowFile.Parse(utf8);
        if (parsed.Document is not { } document)
        {
            return new LoadedWorkflow(path, null, null, parsed.Problems);
        }

        var compiled = compiler.Compile(document);
        return new LoadedWorkflow(path, compiled.Plan, null, compiled.Problems);
    }

    private static LoadedWorkflow Fail(string path, string failure) => new(path, null, failure, []);
}
