using Plexus.Engine.Execution;
using Plexus.Engine.Expressions;
using Plexus.Engine.Nodes;
using Plexus.Nodes;

namespace Plexus.Cli;

/// <summary>The engine as the CLI uses it: the built-in catalog, one script host, a compiler and an executor.</summary>
internal sealed class EngineHost : IDisposable
{
    private readonly HttpClient _http = new();

    /// <param name="blueprints">Makes the <c>flow.call</c> runner, which runs blueprints with this host's compiler and executor.</param>
    public EngineHost(Func<EngineHost, IBlueprintRunner>? blueprints = null)
    {
        Catalog = BuiltInNodes.Catalog();
        Scripts = new ScriptHost();
        Compiler = new WorkflowCompiler(Catalog, Scripts);
        Executor = new WorkflowExecutor(new NodeServices
        {
            Time = TimeProvider.System,
            Scripts = Scripts,
            Http = _http,
            Blueprints = blueprints?.Invoke(this),
        });
    }

    public NodeCatalog Catalog { get; }
    public ScriptHost Scripts { get; }
    public WorkflowCompiler Compiler { get; }
    public WorkflowExecutor Executor { get; }

    public void Dispose() => _http.Dispose();
}
