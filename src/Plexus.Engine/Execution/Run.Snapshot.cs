using System.Collections.Concurrent;
using System.Text.Json;
using Plexus.Engine.Nodes;

namespace Plexus.Engine.Execution;

/// <summary>Writing a waiting run down and reading it back.</summary>
internal sealed partial class Run
{
    private const int SnapshotVersion = 1;
    private readonly ConcurrentDictionary<string, bool> _secretNames = new(StringComparer.Ordinal);

    public string Save()
    {
        var scopeIds = new Dictionary<ScopeState, int>(ReferenceEqualityComparer.Instance);
        var loopIds = new Dictionary<LoopState, int>(ReferenceEqualityComparer.Instance);
        var scopes = new List<ScopeSnapshot>();
        for (var i = 0; i < _loops.Count; i++)
        {
            loopIds[_loops[i]] = i;
        }

        int IdOf(ScopeState scope)
        {
            if (scopeIds.TryGetValue(scope, out var known))
            {
                return known;
            }

            var parent = scope.Parent is null ? (int?)null : IdOf(scope.Parent);
            var id = scopeIds[scope] = scopeIds.Count;
            scopes.Add(new ScopeSnapshot(id, parent, scope.Loop is null ? null : loopIds[scope.Loop], scope.Index, scope.Item,
                scope.Outputs,
                scope.Joins?.ToDictionary(j => j.Key, j => new JoinSnapshot(j.Value.Delivered, j.Value.ItemArrived, j.Value.Values, j.Value.HasValue)),
                scope.Jumps, scope.Pending, scope.Discarded, scope.Cancelled, scope.Collected));
            return id;
        }

        IdOf(_root);
        var loops = _loops.Select((loop, i) => new LoopSnapshot(i, loop.Node, IdOf(loop.Scope), loop.Items, loop.Concurrency, loop.Record.Sequence,
            loop.Next, loop.Active, loop.Broken, loop.BreakIndex, [.. loop.Iterations.Select(IdOf)],
            loop.Collected.ToDictionary(c => c.Key, c => c.Value))).ToList();
        var waits = _waits.Select(w => new WaitSnapshot(w.Token, w.Node, IdOf(w.Scope), w.Input, w.ResumeAt, w.Record.Sequence)).ToList();
        var snapshot = new RunSnapshot(SnapshotVersion, _info.Id, _info.Stage, _info.CorrelationId, _request.Input, _request.UsePinned,
            _request.WaitInline, _start, _trigger, _result, _resultSet, _response, _startedAt, [.. _secretNames.Keys.Order(StringComparer.Ordinal)],
            scopes, loops, waits, _records);
        return JsonSerializer.Serialize(snapshot, RunSnapshotJsonContext.Default.RunSnapshot);
    }

    /// <summary>Reads a saved waiting run back, for the same workflow version; env, secrets and events come from <paramref name="request"/>.</summary>
    public static Run Load(ExecutionPlan plan, RunRequest request, NodeServices services, ExecutorOptions options, string state)
    {
        var snapshot = JsonSerializer.Deserialize(state, RunSnapshotJsonContext.Default.RunSnapshot)
            ?? throw new ArgumentException("the saved state is empty", nameof(state));
        if (snapshot.Version != SnapshotVersion)
        {
            throw new ArgumentException($"saved state version {snapshot.Version} is not supported", nameof(state));
        }

        var run = new Run(plan, request with
        {
            ExecutionId = snapshot.ExecutionId,
            Stage = snapshot.Stage,
            CorrelationId = snapshot.CorrelationId,
            Input = snapshot.Input,
            UsePinned = snapshot.UsePinned,
            WaitInline = snapshot.WaitInline,
        }, services, options);
        run.Restore(snapshot);
        return run;
    }

    private void Restore(RunSnapshot snapshot)
    {
        _start = snapshot.Start;
        _trigger = snapshot.Trigger;
        _result = snapshot.Result;
        _resultSet = snapshot.ResultSet;
        _response = snapshot.Response;
        _startedAt = snapshot.StartedAt;
        _status = ExecutionStatus.Waiting;
        foreach (var name in snapshot.SecretNames)
        {
            ResolveSecret(name);
        }

        _records.AddRange(snapshot.Records);
        var records = _records.ToDictionary(r => r.Sequence);
        var scopeData = snapshot.Scopes.ToDictionary(s => s.Id);
        var loopData = snapshot.Loops.ToDictionary(l => l.Id);
        var scopes = new Dictionary<int, ScopeState>();
        var loops = new Dictionary<int, LoopState>();

        ScopeState ScopeOf(int id)
        {
            if (scopes.TryGetValue(id, out var known))
            {
                return known;
            }

            var data = scopeData[id];
            var scope = data.Parent is null
                ? _root
                : new ScopeState(_plan, ScopeOf(data.Parent.Value), data.Loop is null ? null : LoopOf(data.Loop.Value), data.Index, data.Item);
            foreach (var (node, output) in data.Outputs)
            {
                scope.Outputs[node] = output;
            }

            scope.Joins = data.Joins?.ToDictionary(j => j.Key, j => new JoinState(j.Value.Values, j.Value.HasValue)
            {
                Delivered = j.Value.Delivered,
                ItemArrived = j.Value.ItemArrived,
            });
            scope.Jumps = data.Jumps;
            scope.Pending = data.Pending;
            scope.Discarded = data.Discarded;
            scope.Cancelled = data.Cancelled;
            scope.Collected = data.Collected;
            return scopes[id] = scope;
        }

        LoopState LoopOf(int id)
        {
            if (loops.TryGetValue(id, out var known))
            {
                return known;
            }

            var data = loopData[id];
            var loop = new LoopState(data.Node, ScopeOf(data.Scope), data.Items, data.Concurrency, records[data.Record])
            {
                Next = data.Next,
                Active = data.Active,
                Broken = data.Broken,
                BreakIndex = data.BreakIndex,
            };
            foreach (var (index, values) in data.Collected)
            {
                loop.Collected[index] = values;
            }

            return loops[id] = loop;
        }

        foreach (var data in snapshot.Loops)
        {
            var loop = LoopOf(data.Id);
            loop.Iterations.AddRange(data.Iterations.Select(ScopeOf));
            _loops.Add(loop);
        }

        foreach (var wait in snapshot.Waits)
        {
            _waits.Add(new WaitState(wait.Token, wait.Node, ScopeOf(wait.Scope), wait.Input, wait.ResumeAt, records[wait.Record]));
        }
    }
}
