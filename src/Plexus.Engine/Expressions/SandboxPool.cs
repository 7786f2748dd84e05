using System.Collections.Concurrent;

namespace Plexus.Engine.Expressions;

/// <summary>Idle sandboxes for one set of limits: building and hardening an engine costs milliseconds, a run microseconds.</summary>
internal sealed class SandboxPool(ScriptLimits limits)
{
    // Enough for every core to run an expression and a code node at once; more would only hold memory.
    private readonly int _maxIdle = Environment.ProcessorCount * 2;
    private readonly ConcurrentQueue<Sandbox> _idle = new();
    private int _idleCount;

    public ScriptLimits Limits { get; } = limits;

    public Sandbox Rent()
    {
        if (_idle.TryDequeue(out var sandbox))
        {
            Interlocked.Decrement(ref _idleCount);
            return sandbox;
        }
        return new Sandbox(Limits);
    }

    /// <summary>Keeps the sandbox for the next run, unless <paramref name="reusable"/> is false (a run was stopped half-way in it) or enough are idle.</summary>
    public void Return(Sandbox sandbox, bool reusable)
    {
        if (reusable && Interlocked.Increment(ref _idleCount) <= _maxIdle)
        {
            _idle.Enqueue(sandbox);
            return;
        }
        if (reusable)
        {
            Interlocked.Decrement(ref _idleCount);
        }
        sandbox.Dispose();
    }
}
