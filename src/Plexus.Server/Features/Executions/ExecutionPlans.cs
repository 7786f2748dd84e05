using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Plexus.Engine.Execution;
using Plexus.Engine.Workflows;

namespace Plexus.Server.Features.Executions;

/// <summary>Which document a plan was compiled from: a version, or a draft at a revision.</summary>
public readonly record struct PlanKey(Guid WorkflowId, int? Version, int DraftRevision)
{
    public static PlanKey Of(Guid workflowId, int? version, int draftRevision) => new(workflowId, version, version is null ? draftRevision : 0);
}

/// <summary>
/// Compiled workflows, kept in a small bounded cache: a version never changes, and a draft is keyed by its revision,
/// so a cached plan is never stale. Compile failures are cached too (an invalid draft run again fails the same way).
/// </summary>
public sealed class ExecutionPlans(WorkflowCompiler compiler, IOptions<ExecutionOptions> options) : IDisposable
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = options.Value.PlanCacheSize });

    public CompileResult Compile(PlanKey key, WorkflowDocument document) => Get(key, () => compiler.Compile(document));

    /// <summary>The cached plan for <paramref name="key"/>, or what <paramref name="compile"/> makes (parsing included).</summary>
    public CompileResult Get(PlanKey key, Func<CompileResult> compile)
    {
        ArgumentNullException.ThrowIfNull(compile);
        if (_cache.TryGetValue(key, out CompileResult? cached) && cached is not null)
        {
            return cached;
        }

        var compiled = compile();
        _cache.Set(key, compiled, new MemoryCacheEntryOptions { Size = 1 });
        return compiled;
    }

    /// <summary>Compiles without caching: for documents changed for one run (pinned data from the request).</summary>
    public CompileResult CompileOnce(WorkflowDocument document) => compiler.Compile(document);

    public void Dispose() => _cache.Dispose();
}
