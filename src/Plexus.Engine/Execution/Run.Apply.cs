using System.Text.Json.Nodes;
using Plexus.Engine.Json;
using Plexus.Engine.Nodes;
using Plexus.Engine.Workflows;

namespace Plexus.Engine.Execution;

/// <summary>Applying results: ports, skips, joins, loops, jumps, waits and the end of the run. Single-threaded.</summary>
internal sealed partial class Run
{
    private readonly Queue<(PlanEdge Edge, ScopeState Scope)> _skips = new();

    private void Apply(Activation activation, NodeRun record, NodeResult result)
    {
        var node = _plan.Nodes[activation.Node];
        var scope = activation.Scope;
        if (_ended)
        {
            // It ran in the same wave as the node that ended the run: recorded as it finished, not continued.
            Finish(record, result.Outcome == NodeOutcome.Fail ? NodeRunStatus.Failed : NodeRunStatus.Succeeded, result.Value, null,
                result.Detail is NodeFailure f ? new ExecutionError(f.Message, f.Type, node.Id) : null);
            return;
        }

        switch (result.Outcome)
        {
            case NodeOutcome.Emit:
                Succeed(node, scope, record, result.Value, result.Port ?? "out");
                break;
            case NodeOutcome.Respond:
                if (_response is null)
                {
                    _response = (HttpResponseData)result.Detail!;
                    _request.OnResponse?.Invoke(_response);
                }

                Succeed(node, scope, record, result.Value, "out");
                break;
            case NodeOutcome.Return:
                if (!_resultSet)
                {
                    _resultSet = true;
                    _result = result.Value;
                }

                Succeed(node, scope, record, result.Value, "out");
                break;
            case NodeOutcome.Fail:
                var failure = (NodeFailure)result.Detail!;
                FailNode(node, scope, record, new ExecutionError(failure.Message, failure.Type, node.Id));
                break;
            case NodeOutcome.Suspend:
                Suspend(node, scope, record, activation.Input, (WaitRequest)result.Detail!);
                return; // the wait keeps the scope open
            case NodeOutcome.Exit:
                var exit = (ExitRequest)result.Detail!;
                Finish(record, NodeRunStatus.Succeeded, activation.Input, null);
                var status = exit.Status is ExecutionStatus.Failed or ExecutionStatus.Cancelled ? exit.Status : ExecutionStatus.Succeeded;
                EndRun(status, status == ExecutionStatus.Succeeded ? null
                    : new ExecutionError(exit.Message ?? $"the run was ended by '{node.Id}'", "exit", node.Id));
                break;
            case NodeOutcome.StartLoop:
                StartLoop(node, scope, record, (LoopRequest)result.Detail!);
                break;
            case NodeOutcome.Collect:
                Finish(record, NodeRunStatus.Succeeded, result.Value, null);
                if (!scope.Discarded)
                {
                    (scope.Collected ??= []).Add(result.Value);
                }

                break;
            case NodeOutcome.Break:
                Finish(record, NodeRunStatus.Succeeded, activation.Input, null);
                Break(scope);
                break;
            case NodeOutcome.Continue:
                Finish(record, NodeRunStatus.Succeeded, activation.Input, null);
                scope.Discarded = true;
                break;
            case NodeOutcome.Jump:
                Jump(node, scope, record, result.Value, (JumpRequest)result.Detail!);
                break;
        }

        Release(scope);
    }

    private void Succeed(PlanNode node, ScopeState scope, NodeRun record, JsonNode? value, string port)
    {
        Finish(record, NodeRunStatus.Succeeded, value, port);
        scope.Outputs[node.Index] = value;
        if (node.Index == _start)
        {
            _trigger = value;
        }

        var portIndex = node.PortIndex(port);
        for (var p = 0; p < node.OutEdges.Length; p++)
        {
            if (p == portIndex)
            {
                foreach (var edge in node.OutEdges[p])
                {
                    Arrive(edge, scope, value, skip: false);
                }
            }
            else if (!node.LeadsIntoIterations(p))
            {
                SkipEdges(node.OutEdges[p], scope);
            }
        }

        SkipEdges(node.ErrorEdges, scope);
        DrainSkips();
    }

    private void FailNode(PlanNode node, ScopeState scope, NodeRun record, ExecutionError error)
    {
        Finish(record, NodeRunStatus.Failed, null, null, error);
        if (node.ErrorEdges.Length == 0)
        {
            EndRun(ExecutionStatus.Failed, error);
            return;
        }

        var value = new JsonObject { ["message"] = error.Message, ["type"] = error.Type, ["node"] = node.Id };
        record.Port = WorkflowShape.ErrorPort;
        foreach (var edge in node.ErrorEdges)
        {
            Arrive(edge, scope, value, skip: false);
        }

        SkipPorts(node, scope);
        DrainSkips();
    }

    private void Finish(NodeRun record, string status, JsonNode? output, string? port, ExecutionError? error = null)
    {
        record.Status = status;
        record.Output = output;
        record.Port = port;
        record.Error = error;
        record.EndedAt = _time.GetUtcNow();
        if (status == NodeRunStatus.Skipped)
        {
            Publish(ExecutionEventTypes.NodeSkipped, record.NodeId, record.Sequence, status);
        }
        else
        {
            Publish(ExecutionEventTypes.NodeFinished, record.NodeId, record.Sequence, status, output, error?.Message, record.DurationMs);
        }
    }

    /// <summary>An item or a skip reaches a node through one edge.</summary>
    private void Arrive(PlanEdge edge, ScopeState scope, JsonNode? value, bool skip)
    {
        var target = _plan.Nodes[edge.To];
        if (target.IncomingCount == 1 && !target.Joins)
        {
            if (skip)
            {
                SkipNode(edge.To, scope);
            }
            else
            {
                Schedule(edge.To, scope, value);
            }

            return;
        }

        var join = scope.Join(edge.To, target.IncomingCount);
        join.Delivered++;
        if (!skip)
        {
            join.ItemArrived = true;
            join.Values[edge.Slot] = value;
            join.HasValue[edge.Slot] = true;
            if (!target.Joins)
            {
                Schedule(edge.To, scope, value);
            }
        }

        if (join.Delivered < target.IncomingCount)
        {
            return;
        }

        if (target.Joins && join.ItemArrived)
        {
            Schedule(edge.To, scope, MergedInput(target, join));
        }
        else if (!join.ItemArrived)
        {
            SkipNode(edge.To, scope);
        }
    }

    /// <summary>A join's input: an object keyed by source node id (<c>id.port</c> when two edges come from one node); skipped edges absent.</summary>
    private static JsonObject MergedInput(PlanNode target, JoinState join)
    {
        var merged = new JsonObject();
        for (var slot = 0; slot < target.JoinKeys.Length; slot++)
        {
            if (join.HasValue[slot])
            {
                merged[target.JoinKeys[slot]] = JsonValues.Detach(join.Values[slot]);
            }
        }

        return merged;
    }

    private void Schedule(int node, ScopeState scope, JsonNode? input)
    {
        scope.Pending++;
        _next.Add(new Activation(node, scope, input));
    }

    /// <summary>Records a node as skipped and sends skips on all its ports.</summary>
    private void SkipNode(int index, ScopeState scope)
    {
        var node = _plan.Nodes[index];
        var record = new NodeRun
        {
            Sequence = _records.Count + 1,
            NodeId = node.Id,
            Type = node.Type.Info.Type,
            Scope = scope.Path,
            StartedAt = _time.GetUtcNow(),
        };
        _records.Add(record);
        Finish(record, NodeRunStatus.Skipped, null, null);
        SkipPorts(node, scope);
        SkipEdges(node.ErrorEdges, scope);
    }

    private void SkipPorts(PlanNode node, ScopeState scope)
    {
        for (var p = 0; p < node.OutEdges.Length; p++)
        {
            if (!node.LeadsIntoIterations(p))
            {
                SkipEdges(node.OutEdges[p], scope);
            }
        }
    }

    private void SkipEdges(PlanEdge[] edges, ScopeState scope)
    {
        foreach (var edge in edges)
        {
            _skips.Enqueue((edge, scope));
        }
    }

    /// <summary>Skips travel iteratively, so that a long dead branch does not grow the stack.</summary>
    private void DrainSkips()
    {
        while (_skips.TryDequeue(out var skip))
        {
            Arrive(skip.Edge, skip.Scope, null, skip: true);
        }
    }

    /// <summary>An activation is done with its scope; a scope with nothing left pending completes.</summary>
    private void Release(ScopeState scope)
    {
        scope.Pending--;
        DrainSkips();
        CompleteIfIdle(scope);
    }

    private void CompleteIfIdle(ScopeState scope)
    {
        if (scope.Pending > 0 || scope.Loop is not { } loop || scope.Completed)
        {
            return;
        }

        FinishIteration(scope);
        PumpLoop(loop);
    }

    private void Suspend(PlanNode node, ScopeState scope, NodeRun record, JsonNode? input, WaitRequest request)
    {
        var token = request.ResumeAt is null ? NewToken() : null;
        var wait = new WaitState(token ?? NewToken(), node.Index, scope, input, request.ResumeAt, record);
        record.Status = NodeRunStatus.Waiting;
        record.ResumeToken = token;
        Publish(ExecutionEventTypes.NodeFinished, node.Id, record.Sequence, NodeRunStatus.Waiting, resumeToken: token);
        if (request.ResumeAt is null && _request.ResumeAnswers.TryGetValue(node.Id, out var answer))
        {
            _next.Add(new Activation(node.Index, scope, input, wait, answer));
            return;
        }

        _waits.Add(wait);
    }

    private void Jump(PlanNode node, ScopeState scope, NodeRun record, JsonNode? value, JumpRequest jump)
    {
        if (!_plan.TryGetIndex(jump.Target, out var target))
        {
            FailNode(node, scope, record, new ExecutionError($"jump target '{jump.Target}' does not exist", "jump", node.Id));
            return;
        }

        scope.Jumps ??= [];
        var count = scope.Jumps.GetValueOrDefault(node.Index) + 1;
        if (count > jump.Max)
        {
            FailNode(node, scope, record, new ExecutionError($"jump limit exceeded: '{node.Id}' jumped back to '{jump.Target}' {jump.Max} time(s) already", "jump", node.Id));
            return;
        }

        scope.Jumps[node.Index] = count;
        Finish(record, NodeRunStatus.Succeeded, value, "out");
        foreach (var reached in _plan.Nodes[target].Region)
        {
            scope.Joins?.Remove(reached);
        }

        Schedule(target, scope, value);
    }

    private void StartLoop(PlanNode node, ScopeState scope, NodeRun record, LoopRequest request)
    {
        var loop = new LoopState(node.Index, scope, request.Items, Math.Max(1, request.Concurrency), record);
        _loops.Add(loop);
        scope.Pending++; // the loop holds its scope open until `done` fired
        PumpLoop(loop);
    }

    /// <summary>Starts iterations while there is room, and fires <c>done</c> when the last one ended.</summary>
    private void PumpLoop(LoopState loop)
    {
        while (!loop.Broken && loop.Next < loop.Items.Count && loop.Active < loop.Concurrency)
        {
            var index = loop.Next++;
            loop.Active++;
            var item = loop.Items[index];
            var iteration = new ScopeState(this, _plan, loop.Scope, loop, index, item);
            loop.Iterations.Add(iteration);
            var node = _plan.Nodes[loop.Node];
            var itemPort = node.PortIndex(WorkflowShape.LoopItemPort);
            foreach (var edge in node.OutEdges[itemPort])
            {
                Arrive(edge, iteration, item, skip: false);
            }

            DrainSkips();
            if (iteration.Pending == 0)
            {
                FinishIteration(iteration);
            }
        }

        if (loop.Active == 0 && (loop.Broken || loop.Next >= loop.Items.Count) && _loops.Contains(loop))
        {
            LoopDone(loop);
        }
    }

    private static void FinishIteration(ScopeState iteration)
    {
        var loop = iteration.Loop!;
        iteration.Completed = true;
        loop.Active--;
        loop.Iterations.Remove(iteration);
        if (!iteration.Discarded && !iteration.Cancelled && iteration.Collected is { } values)
        {
            loop.Collected[iteration.Index] = values;
        }
    }

    private void LoopDone(LoopState loop)
    {
        _loops.Remove(loop);
        var collected = new JsonArray();
        foreach (var (index, values) in loop.Collected)
        {
            if (index > loop.BreakIndex)
            {
                break;
            }

            foreach (var value in values)
            {
                collected.Add(JsonValues.Detach(value));
            }
        }

        var node = _plan.Nodes[loop.Node];
        Succeed(node, loop.Scope, loop.Record, collected, WorkflowShape.LoopDonePort);
        Release(loop.Scope);
    }

    private void Break(ScopeState scope)
    {
        var loop = scope.Loop!;
        loop.Broken = true;
        loop.BreakIndex = Math.Min(loop.BreakIndex, scope.Index);
        foreach (var iteration in loop.Iterations.Where(i => i.Index > loop.BreakIndex).ToList())
        {
            CancelScope(iteration);
        }
    }

    /// <summary>Drops an iteration: its queued activations never start (they release as they come up), its waits end cancelled.</summary>
    private void CancelScope(ScopeState scope)
    {
        scope.Cancelled = true;
        foreach (var wait in _waits.Where(w => IsWithin(w.Scope, scope)).ToList())
        {
            _waits.Remove(wait);
            Finish(wait.Record, NodeRunStatus.Cancelled, null, null);
            Release(wait.Scope);
        }
    }

    private static bool IsWithin(ScopeState scope, ScopeState ancestor)
    {
        for (var s = scope; s is not null; s = s.Parent)
        {
            if (s == ancestor)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>An unhandled failure, <c>flow.exit</c> or cancellation: pending work is dropped and open records end cancelled.</summary>
    private void EndRun(string status, ExecutionError? error)
    {
        if (_ended)
        {
            return;
        }

        _ended = true;
        _status = status;
        _error = error;
        _next.Clear();
        _skips.Clear();
        foreach (var record in _records.Where(r => r.Status is NodeRunStatus.Running or NodeRunStatus.Waiting))
        {
            Finish(record, NodeRunStatus.Cancelled, null, null);
        }

        _waits.Clear();
        _loops.Clear();
        _endedAt = _time.GetUtcNow();
    }
}
