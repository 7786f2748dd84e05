using Jint.Native;
using Plexus.Engine.Json;

namespace Plexus.Engine.Expressions;

/// <summary>
/// Everything one evaluation needs: a sandbox, rented when the first script runs, and the scope values converted
/// for it, each at most once and only when a script mentions it. Disposing ends the run and returns the sandbox.
/// </summary>
internal sealed class ScriptRun(SandboxPool pool, ScriptScope scope, ICollection<string>? logs, CancellationToken cancellationToken) : IDisposable
{
    private static readonly ScriptError Cancelled = new("cancelled", "cancelled");

    // The scope values in the order of the wrapper's parameters: input, trigger, nodes, env, execution, loop.
    private readonly JsValue?[] _values = new JsValue?[6];
    private Sandbox? _sandbox;
    private bool _abandoned;

    public ScriptScope Scope { get; } = scope;

    /// <summary>Runs the program and converts its value while the sandbox that made it is still held.</summary>
    public (T? Value, ScriptError? Error) Run<T>(ScriptProgram program, Func<JsValue, T> convert)
    {
        if (program.Error is { } syntax)
        {
            return (default, syntax);
        }
        if (cancellationToken.IsCancellationRequested)
        {
            return (default, Cancelled);
        }
        try
        {
            var sandbox = _sandbox ??= Start();
            var value = sandbox.Run(program, Arguments(sandbox.Engine, program.Uses));
            return (convert(value), null);
        }
        catch (Exception exception)
        {
            var (error, abandon) = ScriptFailures.Classify(exception, cancellationToken);
            _abandoned |= abandon;
            return (default, error);
        }
    }

    public void Dispose()
    {
        if (_sandbox is null)
        {
            return;
        }
        var clean = _sandbox.End();
        pool.Return(_sandbox, reusable: clean && !_abandoned);
        _sandbox = null;
    }

    private Sandbox Start()
    {
        var sandbox = pool.Rent();
        sandbox.Begin(Scope, logs, cancellationToken);
        return sandbox;
    }

    private JsValue[] Arguments(Jint.Engine engine, ScopeNames uses)
    {
        // A fresh array per call: the engine may keep it as the arguments object of the wrapper.
        var arguments = new JsValue[_values.Length];
        for (var i = 0; i < arguments.Length; i++)
        {
            // ScopeNames has one flag per parameter, in parameter order.
            arguments[i] = (uses & (ScopeNames)(1 << i)) == 0 ? JsValue.Undefined : _values[i] ??= Convert(engine, i);
        }
        return arguments;
    }

    private JsValue Convert(Jint.Engine engine, int index) => index switch
    {
        0 => JsonToJs.Convert(engine, Scope.Input),
        1 => JsonToJs.Convert(engine, Scope.Trigger),
        2 => new NodeOutputsObject(engine, Scope.Nodes),
        3 => EnvObject(engine),
        4 => JsonToJs.Convert(engine, Scope.Execution),
        _ => Scope.Loop is null ? JsValue.Undefined : JsonToJs.Convert(engine, Scope.Loop),
    };

    private JsObject EnvObject(Jint.Engine engine)
    {
        var env = new JsObject(engine);
        if (Scope.Env is { } values)
        {
            foreach (var (name, value) in values)
            {
                env.FastSetDataProperty(name, value);
            }
        }
        return env;
    }
}
