using Plexus.Engine.Nodes;

namespace Plexus.Engine.Tests.Support;

/// <summary>Waits at a shared barrier: it only succeeds if its partner runs at the same time.</summary>
public sealed class BarrierNode(Barrier barrier) : NodeType
{
    public override NodeTypeInfo Info { get; } = new()
    {
        Type = "test.barrier",
        Category = "test",
        Title = "Barrier",
        Description = "Meets its partner at a barrier.",
        SettingsSchema = SettingsSchema.Object(),
    };

    public override ValueTask<NodeResult> ExecuteAsync(NodeContext context, CancellationToken cancellationToken) =>
        ValueTask.FromResult(barrier.SignalAndWait(TimeSpan.FromSeconds(60), cancellationToken)
            ? NodeResult.Emit(context.Input)
            : NodeResult.Fail("the partner branch never arrived: branches did not overlap"));
}

/// <summary>Waits on the run's clock, honouring cancellation; for timeouts and cancellation.</summary>
public sealed class SlowNode : NodeType
{
    public override NodeTypeInfo Info { get; } = new()
    {
        Type = "test.slow",
        Category = "test",
        Title = "Slow",
        Description = "Waits delayMs on the run's clock.",
        SettingsSchema = SettingsSchema.Object(new Setting("delayMs", SettingsSchema.Integer("delay"))),
    };

    private int _started;

    /// <summary>How many activations began; parallel branches start it on several threads at once.</summary>
    public int Started => Volatile.Read(ref _started);

    public override async ValueTask<NodeResult> ExecuteAsync(NodeContext context, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _started);
        await Task.Delay(TimeSpan.FromMilliseconds(context.Settings.GetInt("delayMs") ?? 10_000), context.Services.Time, cancellationToken);
        return NodeResult.Emit(context.Input);
    }
}

/// <summary>Fails the first N tries, then succeeds; counts its tries.</summary>
public sealed class FlakyNode(int failures) : NodeType
{
    public override NodeTypeInfo Info { get; } = new()
    {
        Type = "test.flaky",
        Category = "test",
        Title = "Flaky",
        Description = "Fails the first tries.",
        SettingsSchema = SettingsSchema.Object(),
    };

    public int Tries { get; private set; }

    public override ValueTask<NodeResult> ExecuteAsync(NodeContext context, CancellationToken cancellationToken)
    {
        Tries++;
        return ValueTask.FromResult(Tries <= failures ? NodeResult.Fail($"try {Tries} failed") : NodeResult.Emit(Tries));
    }
}

/// <summary>Collects live events.</summary>
public sealed class EventLog : Plexus.Engine.Execution.IExecutionEventSink
{
    private readonly Lock _gate = new();

    public List<Plexus.Engine.Execution.ExecutionEvent> Events { get; } = [];

    public void Publish(Plexus.Engine.Execution.ExecutionEvent executionEvent)
    {
        lock (_gate)
        {
            Events.Add(executionEvent);
        }
    }
}
