using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Plexus.Engine.Expressions;
using Plexus.Engine.Nodes;

namespace Plexus.Engine.Execution;

/// <summary>One execution of a plan: its scopes, joins, loops, waits and node runs.</summary>
internal sealed partial class Run
{
    private readonly ExecutionPlan _plan;
    private readonly RunRequest _request;
    private readonly NodeServices _services;
    private readonly ExecutorOptions _options;
    private readonly TimeProvider _time;
    private readonly Redactor _redactor;
    private readonly List<NodeRun> _records;
    private readonly List<WaitState> _waits = [];
    private readonly List<LoopState> _loops = [];
    private readonly ScopeState _root;
    private readonly ExecutionInfo _info;
    private readonly JsonNode _executionValue;
    private readonly Func<string, string?> _secret;
    private List<Activation> _next = [];
    private List<Activation> _wave = [];
    private JsonNode? _trigger;
    private JsonNode? _result;
    private bool _resultSet;
    private HttpResponseData? _response;
    private string _status = ExecutionStatus.Running;
    private ExecutionError? _error;
    private bool _ended;
    private int _start = -1;
    private DateTimeOffset _startedAt;
    private DateTimeOffset? _endedAt;

    public NodeServices Services => _services;

    public Run(ExecutionPlan plan, RunRequest request, NodeServices services, ExecutorOptions options)
    {
        _plan = plan;
        _request = request;
        _services = services;
        _options = options;
        _time = services.Time;
        _records = new List<NodeRun>(plan.Nodes.Length);
        _redactor = request.Redactor ?? new Redactor();
        _root = new ScopeState(this, plan, null, null, 0, null);
        _info = new ExecutionInfo(request.ExecutionId, request.Stage, plan.Document.Name, request.CorrelationId);
        _executionValue = new JsonObject { ["id"] = _info.Id, ["stage"] = _info.Stage, ["workflow"] = _info.Workflow };
        _secret = ResolveSecret;
    }

    public async Task<ExecutionResult> StartAsync(CancellationToken cancellationToken)
    {
        _startedAt = _time.GetUtcNow();
        _trigger = _request.Input;
        Publish(ExecutionEventTypes.RunStarted);
        _start = StartingTrigger();
        if (_request.StartAt is { } startAt)
        {
            StartFrom(startAt);
            return await DriveAsync(cancellationToken).ConfigureAwait(false);
        }

        for (var i = 0; i < _plan.Nodes.Length; i++)
        {
            var node = _plan.Nodes[i];
            if (node.IncomingCount > 0)
            {
                continue;
            }

            if (node.IsTrigger && i != _start)
            {
                SkipNode(i, _root);
            }
            else
            {
                Schedule(i, _root, _request.Input);
            }
        }

        return await DriveAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task<ExecutionResult> ResumeAsync(string nodeOrToken, JsonNode? payload, CancellationToken cancellationToken)
    {
        var wait = _waits.Find(w => w.Token == nodeOrToken) ?? _waits.Find(w => _plan.Nodes[w.Node].Id == nodeOrToken);
        if (wait is null)
        {
            throw new ArgumentException($"the run has no wait named '{nodeOrToken}'", nameof(nodeOrToken));
        }

        _status = ExecutionStatus.Running;
        Resume(wait, payload);
        return DriveAsync(cancellationToken);
    }

    /// <summary>
    /// A run of the part reachable from one node: nodes outside it keep their known outputs (visible to expressions);
    /// edges from outside deliver those outputs to joins and count as skips elsewhere, so nothing runs twice.
    /// </summary>
    private void StartFrom(string nodeId)
    {
        if (!_plan.CanStartAt(nodeId, out var reason))
        {
            throw new ArgumentException(reason, nameof(nodeId));
        }

        _plan.TryGetIndex(nodeId, out var start);
        var region = _plan.Nodes[start].Region.ToHashSet();
        foreach (var (id, output) in _request.KnownOutputs)
        {
            if (_plan.TryGetIndex(id, out var known) && !region.Contains(known))
            {
                _root.Outputs[known] = output;
                if (known == _start)
                {
                    _trigger = output;
                }
            }
        }

        var node = _plan.Nodes[start];
        var incoming = _plan.Shape.Incoming(start);
        var input = node.IsTrigger ? _request.Input
            : incoming.Select(e => _request.KnownOutputs.GetValueOrDefault(_plan.Nodes[e.From].Id)).FirstOrDefault(v => v is not null);
        Schedule(start, _root, input);
        foreach (var inside in region.Where(i => i != start).Order())
        {
            foreach (var edge in _plan.Shape.Incoming(inside).Where(e => !region.Contains(e.From)))
            {
                var source = _plan.Nodes[edge.From];
                var planEdge = new PlanEdge(inside, _plan.Shape.Incoming(inside).ToList().FindIndex(e => e.Index == edge.Index));
                var known = _request.KnownOutputs.TryGetValue(source.Id, out var value);
                Arrive(planEdge, _root, value, skip: !known || !_plan.Nodes[inside].Joins);
            }
        }

        DrainSkips();
    }

    private int StartingTrigger()
    {
        if (_request.TriggerNodeId is { } id)
        {
            if (!_plan.TryGetIndex(id, out var index) || !_plan.Nodes[index].IsTrigger)
            {
                throw new ArgumentException($"'{id}' is not a trigger node of this workflow", nameof(_request));
            }

            return index;
        }

        var manual = Array.FindIndex(_plan.Nodes, n => n.Type.Info.Type == "trigger.manual");
        return manual >= 0 ? manual : Array.FindIndex(_plan.Nodes, n => n.IsTrigger);
    }

    private async Task<ExecutionResult> DriveAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!_ended)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (_next.Count == 0)
                {
                    if (!await ResumeDueTimersAsync(cancellationToken).ConfigureAwait(false))
                    {
                        break;
                    }

                    continue;
                }

                (_wave, _next) = (_next, _wave);
                _next.Clear();
                await RunWaveAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            EndRun(ExecutionStatus.Cancelled, new ExecutionError("the run was cancelled", "cancelled", null));
        }

        if (!_ended)
        {
            if (_waits.Count > 0)
            {
                _status = ExecutionStatus.Waiting;
            }
            else
            {
                _status = ExecutionStatus.Succeeded;
                _endedAt = _time.GetUtcNow();
            }
        }

        Publish(ExecutionEventTypes.RunFinished, status: _status, error: _error?.Message);
        var waits = _waits.Select(w => new PendingWait(_plan.Nodes[w.Node].Id, w.Token, w.ResumeAt)).ToList();
        if (_status == ExecutionStatus.Waiting)
        {
            // The run goes on when resumed: keep the record as it is now.
            var snapshot = MakeRecord();
            return new ExecutionResult(_status, _result, _response, _error, waits, () => snapshot, this);
        }

        return new ExecutionResult(_status, _result, _response, _error, waits, MakeRecord, null);
    }

    /// <summary>With only duration waits left and inline waiting allowed (or the first due soon enough), sleeps until it is due and resumes it.</summary>
    private async Task<bool> ResumeDueTimersAsync(CancellationToken cancellationToken)
    {
        if (_waits.Count == 0 || _waits.All(w => w.ResumeAt is null))
        {
            return false;
        }

        var due = _waits.Where(w => w.ResumeAt is not null).Min(w => w.ResumeAt!.Value);
        var delay = due - _time.GetUtcNow();
        if (!_request.WaitInline && delay > _request.MaxInlineWait)
        {
            return false;
        }

        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }

        foreach (var wait in _waits.Where(w => w.ResumeAt <= due).ToList())
        {
            Resume(wait, null);
        }

        return true;
    }

    private void Resume(WaitState wait, JsonNode? payload)
    {
        _waits.Remove(wait);
        _next.Add(new Activation(wait.Node, wait.Scope, wait.Input, wait, payload));
    }

    private async ValueTask RunWaveAsync(CancellationToken cancellationToken)
    {
        var wave = _wave;
        if (wave.Count == 1)
        {
            // The common case (a chain): no arrays, no tasks.
            var only = wave[0];
            if (only.Scope.IsCancelled)
            {
                Release(only.Scope);
                return;
            }

            var record = Begin(only);
            var outcome = await ExecuteAsync(only, record, cancellationToken).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            Apply(only, record, outcome);
            return;
        }

        // Activations of iterations that a break dropped never start.
        var begun = new NodeRun?[wave.Count];
        var runnable = 0;
        for (var i = 0; i < wave.Count; i++)
        {
            if (wave[i].Scope.IsCancelled)
            {
                continue;
            }

            begun[i] = Begin(wave[i]);
            runnable++;
        }

        var outcomes = new NodeResult[wave.Count];
        if (runnable > 0)
        {
            using var gate = new SemaphoreSlim(_options.MaxParallelism);
            var tasks = new Task[wave.Count];
            for (var i = 0; i < wave.Count; i++)
            {
                var index = i;
                tasks[i] = begun[i] is null ? Task.CompletedTask : Task.Run(async () =>
                {
                    await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                    try
                    {
                        outcomes[index] = await ExecuteAsync(wave[index], begun[index]!, cancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        gate.Release();
                    }
                }, cancellationToken);
            }

            await Task.WhenAll(tasks).ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        for (var i = 0; i < wave.Count; i++)
        {
            if (begun[i] is { } record)
            {
                Apply(wave[i], record, outcomes[i]);
            }
            else
            {
                Release(wave[i].Scope);
            }
        }
    }

    private NodeRun Begin(Activation activation)
    {
        var node = _plan.Nodes[activation.Node];
        var record = activation.Resumed?.Record ?? new NodeRun
        {
            Sequence = _records.Count + 1,
            NodeId = node.Id,
            Type = node.Type.Info.Type,
            Input = activation.Input,
            Scope = activation.Scope.Path,
        };
        if (activation.Resumed is null)
        {
            _records.Add(record);
        }

        record.Status = NodeRunStatus.Running;
        record.StartedAt ??= _time.GetUtcNow();
        Publish(ExecutionEventTypes.NodeStarted, node.Id, record.Sequence);
        return record;
    }

    private async ValueTask<NodeResult> ExecuteAsync(Activation activation, NodeRun record, CancellationToken cancellationToken)
    {
        var node = _plan.Nodes[activation.Node];
        var started = _time.GetTimestamp();
        try
        {
            if (activation.Resumed is null && _request.UsePinned && _plan.Document.Pinned is { } pinned
                && pinned.TryGetPropertyValue(node.Id, out var value))
            {
                record.Pinned = true;
                return NodeResult.Emit(value, node.PassThroughPort);
            }

            if (node.Disabled)
            {
                return NodeResult.Emit(activation.Input, node.PassThroughPort);
            }

            return await ExecuteWithRetryAsync(node, activation, record, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            record.DurationMs += _time.GetElapsedTime(started).TotalMilliseconds;
        }
    }

    private async ValueTask<NodeResult> ExecuteWithRetryAsync(PlanNode node, Activation activation, NodeRun record, CancellationToken cancellationToken)
    {
        ScriptScope? scope = null;
        if (!TryEvaluateSettings(node, activation, ref scope, cancellationToken, out var settings, out var failure))
        {
            record.Attempts = 1;
            return failure;
        }

        var retry = node.Definition.Retry;
        var attempts = Math.Max(1, retry?.Attempts ?? 1);
        for (var attempt = 1; ; attempt++)
        {
            record.Attempts = attempt;
            var context = new NodeContext
            {
                Node = node.Definition,
                Settings = settings,
                Input = activation.Input,
                Trigger = _trigger,
                RunInput = _request.Input,
                ResumePayload = activation.Payload,
                IsResumed = activation.Resumed is not null,
                Attempt = attempt,
                Prepared = node.Prepared,
                Execution = _info,
                Redactor = _redactor,
                Services = _services,
                ScopeSource = activation.Scope,
                PreparedScope = scope,
            };
            var result = await AttemptAsync(node, context, cancellationToken).ConfigureAwait(false);
            if (context.LogLines is { Count: > 0 } lines)
            {
                (record.Logs ??= []).AddRange(lines);
            }

            if (result.Outcome != NodeOutcome.Fail || attempt >= attempts)
            {
                return result;
            }

            var delay = retry!.DelayAfter(attempt);
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async ValueTask<NodeResult> AttemptAsync(PlanNode node, NodeContext context, CancellationToken cancellationToken)
    {
        var timeoutMs = node.Definition.TimeoutMs;
        using var timeout = timeoutMs is { } ms ? new CancellationTokenSource(TimeSpan.FromMilliseconds(ms), _time) : null;
        using var linked = timeout is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var token = linked?.Token ?? cancellationToken;
        try
        {
            var pending = node.Type.ExecuteAsync(context, token);
            if (pending.IsCompleted || timeout is null)
            {
                return await pending.ConfigureAwait(false);
            }

            // A node that ignores its token still gets cut off when its time is up.
            var task = pending.AsTask();
            await task.WaitAsync(token).ConfigureAwait(false);
            return await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout?.IsCancellationRequested == true && !cancellationToken.IsCancellationRequested)
        {
            return NodeResult.Fail($"timed out after {timeoutMs} ms", "timeout");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            return NodeResult.Fail(e.Message, "error");
        }
    }

    private bool TryEvaluateSettings(PlanNode node, Activation activation, ref ScriptScope? scope, CancellationToken cancellationToken,
        out NodeSettings settings, out NodeResult failure)
    {
        failure = default;
        if (node.LiteralSettings is { } literal)
        {
            settings = literal;
            return true;
        }

        scope ??= MakeScope(activation.Scope, activation.Input);
        var values = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var (name, value) in node.Definition.Settings ?? [])
        {
            values[name] = value;
        }

        foreach (var (name, compiled) in node.DynamicSettings)
        {
            var outcome = _services.Scripts.Evaluate(compiled, scope, cancellationToken);
            if (outcome.Error is { } error)
            {
                settings = NodeSettings.Empty;
                var type = error.Kind == "limit" ? "limit" : "expression";
                failure = NodeResult.Fail($"settings.{name}: {error}", type);
                return false;
            }

            values[name] = outcome.Value;
        }

        settings = new NodeSettings(values);
        return true;
    }

    internal ScriptScope MakeScope(ScopeState scope, JsonNode? input) => new()
    {
        Input = input,
        Trigger = _trigger,
        Nodes = scope,
        Env = _request.Env,
        Execution = _executionValue,
        Loop = scope.LoopInfo,
        Secret = _secret,
    };

    private string? ResolveSecret(string name)
    {
        if (!_request.Secrets.TryGetValue(name, out var value))
        {
            return null;
        }

        _redactor.Add(value);
        _secretNames.TryAdd(name, true);
        return value;
    }

    internal static string NewToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');

    private ExecutionRecord MakeRecord()
    {
        var nodes = _records.Select(r =>
        {
            var (input, inputCut) = RecordValues.Store(r.Input, _redactor);
            var (output, outputCut) = RecordValues.Store(r.Output, _redactor);
            return new NodeRunRecord(r.Sequence, r.NodeId, r.Type, r.Status, r.Attempts, r.StartedAt, r.EndedAt, r.DurationMs,
                input, inputCut, output, outputCut, Redact(r.Error), r.Port, r.Scope, r.Pinned,
                r.Logs?.Select(_redactor.Redact).ToList(), r.ResumeToken);
        }).ToList();
        var response = _response is null ? null : _response with
        {
            Body = RecordValues.Store(_response.Body, _redactor).Value,
            Headers = _response.Headers.ToDictionary(h => h.Key, h => _redactor.Redact(h.Value), StringComparer.OrdinalIgnoreCase),
            Cookies = [.. _response.Cookies.Select(c => c with { Value = _redactor.Redact(c.Value) })],
        };
        return new ExecutionRecord(_info.Id, _info.Workflow, _info.Stage, _status, RecordValues.Store(_result, _redactor).Value,
            response, Redact(_error), RecordValues.Store(_trigger, _redactor).Value, _info.CorrelationId, _startedAt, _endedAt, nodes);
    }

    private ExecutionError? Redact(ExecutionError? error) => error is null ? null : error with { Message = _redactor.Redact(error.Message) };

    private void Publish(string type, string? nodeId = null, int? sequence = null, string? status = null,
        JsonNode? preview = null, string? error = null, double? durationMs = null, string? resumeToken = null)
    {
        if (_request.Events is not { } sink)
        {
            return;
        }

        var shown = preview is null ? null : RecordValues.Store(preview, _redactor).Value;
        sink.Publish(new ExecutionEvent(type, _info.Id, _time.GetUtcNow(), nodeId, sequence, status, shown,
            error is null ? null : _redactor.Redact(error), durationMs, resumeToken));
    }
}
