using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Plexus.Engine.Execution;
using Plexus.Persistence;
using Plexus.Server.Features.Executions;
using Plexus.Server.Infrastructure.Access;

namespace Plexus.Server.Features.LiveEvents;

/// <summary>What joining an execution answers: its stored state and the events of it this replica has sent so far.</summary>
/// <param name="Execution">The execution as stored (null while a run of this replica has not been written yet).</param>
/// <param name="Events">Events already sent, when the run is on this replica; else empty.</param>
public sealed record ExecutionJoined(Guid ExecutionId, ExecutionView? Execution, IReadOnlyList<ExecutionEvent> Events);

/// <summary>
/// Live events of executions at <c>/hubs/executions</c>: a client calls <c>Join(executionId)</c> and receives
/// <c>event</c> messages (<c>run.started</c>, <c>node.started</c>, <c>node.finished</c>, <c>node.skipped</c>,
/// <c>run.finished</c>). One group per execution; only members of its organisation (or its organisation's API keys
/// with <c>workflows:read</c>) may join. A client that reconnects joins again and gets what it missed in the answer.
/// </summary>
[Authorize]
public sealed class ExecutionsHub(AppDbContext db, ActiveExecutions active, LiveExecutions live) : Hub
{
    public const string Path = "/hubs/executions";
    public const string EventMethod = "event";

    public static string Group(Guid executionId) => "execution:" + executionId.ToString("n");

    public async Task<ExecutionJoined> Join(Guid executionId)
    {
        var cancellationToken = Context.ConnectionAborted;
        var row = await db.Executions.AsNoTracking().FirstOrDefaultAsync(e => e.Id == executionId, cancellationToken);
        var organizationId = row?.OrganizationId ?? active.Find(executionId.ToString("n"))?.OrganizationId;

        // Another organisation's execution answers exactly as one that does not exist.
        var access = new RequestAccess(() => Context.User, db);
        if (organizationId is not { } organization
            || (await access.CheckAsync(organization, Permission.WorkflowsRead, cancellationToken)).Outcome != AccessOutcome.Allowed)
        {
            throw new HubException("execution not found");
        }

        // Joined before reading what happened so far: an event is then in the answer, or sent after it, or both.
        await Groups.AddToGroupAsync(Context.ConnectionId, Group(executionId), cancellationToken);
        var events = live.SoFar(executionId) ?? [];
        var view = row is null ? null : await ExecutionsApi.ViewAsync(db, row, cancellationToken);
        return new ExecutionJoined(executionId, view, events);
    }

    public Task Leave(Guid executionId) => Groups.RemoveFromGroupAsync(Context.ConnectionId, Group(executionId), Context.ConnectionAborted);
}
