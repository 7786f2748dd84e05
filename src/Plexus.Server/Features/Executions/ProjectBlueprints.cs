using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Plexus.Engine.Execution;
using Plexus.Engine.Nodes;
using Plexus.Engine.Workflows;
using Plexus.Persistence;

namespace Plexus.Server.Features.Executions;

/// <summary>
/// Runs <c>flow.call</c>: the named workflow of the caller's project, in the version published on the caller's stage,
/// or its draft when the caller is a draft run. It runs with the caller's environment, secrets and masking, inside the
/// caller's node run (it is not recorded as an execution of its own).
/// </summary>
public sealed class ProjectBlueprints(
    IServiceProvider services, IServiceScopeFactory scopes, ActiveExecutions active, ExecutionPlans plans, IOptions<ExecutionOptions> options)
    : IBlueprintRunner
{
    public async ValueTask<BlueprintOutcome> RunAsync(string name, JsonNode? input, BlueprintCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var caller = active.Find(call.Caller.Id);
        if (caller is null)
        {
            return Failed($"blueprint '{name}' not run: the calling execution is not known to this server");
        }

        if (caller.Depth + 1 > options.Value.MaxCallDepth)
        {
            return Failed($"blueprint '{name}' not run: calls nest deeper than {options.Value.MaxCallDepth} levels (does a blueprint call itself?)");
        }

        var compiled = await FindAsync(name, caller, cancellationToken).ConfigureAwait(false);
        if (compiled.Failure is { } failure)
        {
            return Failed(failure);
        }

        // Resolved here rather than injected: the executor's services hold this runner.
        var executor = services.GetRequiredService<WorkflowExecutor>();
        var request = new RunRequest
        {
            Stage = caller.Stage,
            CorrelationId = call.Caller.CorrelationId ?? call.Caller.Id,
            Input = input,
            Env = caller.Values.Env,
            Secrets = caller.Values.Secrets,
            Redactor = call.Redactor,
        };
        // A new registration, not a copy: a copy would share the caller's Ended signal.
        var child = new ActiveExecution(request.ExecutionId, caller.OrganizationId, caller.ProjectId, caller.Stage, caller.Draft, caller.Values, caller.Depth + 1);
        active.Add(child);
        try
        {
            var result = await executor.RunAsync(compiled.Plan!, request, cancellationToken).ConfigureAwait(false);
            return BlueprintOutcome.Of(name, result);
        }
        finally
        {
            active.Remove(child);
        }
    }

    private async Task<(ExecutionPlan? Plan, string? Failure)> FindAsync(string name, ActiveExecution caller, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var workflow = await db.Workflows.AsNoTracking().Where(w => w.ProjectId == caller.ProjectId && w.Name == name)
            .Select(w => new { w.Id, w.Draft, w.DraftRevision })
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (workflow is null)
        {
            return (null, $"blueprint '{name}' not found in this project");
        }

        string document;
        int? version = null;
        if (caller.Draft)
        {
            document = workflow.Draft;
        }
        else
        {
            version = await db.Publications.Where(p => p.WorkflowId == workflow.Id && p.StageId == caller.Values.StageId)
                .Select(p => (int?)p.Version).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            if (version is null)
            {
                return (null, $"blueprint '{name}' is not published on stage '{caller.Stage}'");
            }

            var number = version.Value;
            document = await db.WorkflowVersions.Where(v => v.WorkflowId == workflow.Id && v.Number == number).Select(v => v.Document)
                .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false) ?? "";
        }

        var compiled = plans.Get(PlanKey.Of(workflow.Id, version, workflow.DraftRevision), () =>
        {
            var parsed = WorkflowFile.Parse(document);
            return parsed.Document is { } doc ? plans.CompileOnce(doc) : new CompileResult(null, parsed.Problems);
        });
        return compiled.Plan is { } plan
            ? (plan, null)
            : (null, $"blueprint '{name}' is not a valid workflow: {string.Join("; ", compiled.Problems)}");
    }

    private static BlueprintOutcome Failed(string error) => new(null, error);
}
