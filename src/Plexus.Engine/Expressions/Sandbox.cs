using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Jint;
using Jint.Constraints;
using Jint.Native;
using Jint.Runtime;
using Jint.Runtime.Descriptors;
using Jint.Runtime.Interop;

namespace Plexus.Engine.Expressions;

/// <summary>
/// One Jint engine set up for untrusted scripts under one set of limits: hardened once, then reused by one run
/// at a time. Besides the built-ins, scripts see <c>secret(name)</c>, <c>json(value, indent)</c> and <c>console</c>.
/// </summary>
internal sealed class Sandbox : IDisposable
{
    /// <summary>Lines beyond this are dropped: a loop around console.log must not fill the memory with logs.</summary>
    public const int MaxLogLines = 1000;

    private const string DroppedLogsLine = "(further log lines dropped)";

    private readonly Jint.Engine _engine;
    private readonly OperationDeadlineConstraint _deadline = new();
    // The wrapper function of each program, created in this engine the first time the program runs here.
    private readonly ConditionalWeakTable<ScriptProgram, JsValue> _functions = [];
    // The globals as hardened; restoring them also drops promise jobs that a failed run left queued.
    private readonly GlobalSnapshot _clean;
    private ScriptScope? _scope;
    private ICollection<string>? _logs;
    private int _logLines;

    public Sandbox(ScriptLimits limits)
    {
        Limits = limits;
        var options = new Options
        {
            Strict = true,
            // Dates print the same wherever the host runs.
            TimeZone = TimeZoneInfo.Utc,
            Culture = CultureInfo.InvariantCulture,
        };
        options.Host.StringCompilationAllowed = false;
        // One deadline for a whole run (all expressions of a value, with their conversions), armed per run.
        options.Constraint(_deadline);
        options.LimitMemory(limits.MemoryBytes);
        options.MaxStatements(limits.MaxStatements);
        options.LimitRecursion(limits.MaxRecursion);
        options.Constraints.RegexTimeout = limits.RegexTimeout;
        options.Constraints.MaxArraySize = (uint)limits.MaxArrayLength;
        // Turns native recursion deep inside built-ins into a RangeError instead of a crash of the process.
        options.Constraints.StackOverflowGuard = true;
        _engine = new Jint.Engine(options);

        StringSizeGuards.Install(_engine, limits.MaxStringLength);
        InstallHelpers();
        SandboxHardening.Apply(_engine);
        _clean = _engine.Advanced.CaptureGlobalSnapshot();
    }

    public ScriptLimits Limits { get; }

    public Jint.Engine Engine => _engine;

    /// <summary>Starts a run: the time limit and the cancellation token cover everything until <see cref="End"/>.</summary>
    public void Begin(ScriptScope scope, ICollection<string>? logs, CancellationToken cancellationToken)
    {
        _scope = scope;
        _logs = logs;
        _logLines = 0;
        _deadline.Begin(Limits.Timeout, cancellationToken);
    }

    /// <summary>Ends a run; false when the sandbox must not be reused.</summary>
    public bool End()
    {
        try
        {
            // Jobs queued while the result was converted (a toJSON or getter can queue one) still belong to this run.
            _engine.Advanced.ProcessTasks();
            return true;
        }
        catch (Exception)
        {
            return false;
        }
        finally
        {
            _deadline.End();
            _scope = null;
            _logs = null;
        }
    }

    /// <summary>Calls the program's wrapper function with the scope values, in the order of <see cref="ScriptProgram"/>'s parameters.</summary>
    public JsValue Run(ScriptProgram program, JsValue[] arguments)
    {
        if (!_functions.TryGetValue(program, out var function))
        {
            function = _engine.Evaluate(program.Prepared);
            _functions.AddOrUpdate(program, function);
        }
        try
        {
            var result = _engine.Call(function, JsValue.Undefined, arguments);
            result = result.IsPromise() ? Settle(result) : result;
            // Promise jobs the script queued without awaiting them run now, under this run's limits and scope:
            // left in the queue, they would run during the next run, with its logs and secrets.
            _engine.Advanced.ProcessTasks();
            return result;
        }
        catch (JavaScriptException)
        {
            _engine.Advanced.RestoreGlobalSnapshot(_clean);
            throw;
        }
    }

    /// <summary>
    /// The value of a returned promise. Scripts have no timers and no I/O, so once the queued jobs have run a
    /// promise that is still pending will never settle: that is an error, not a wait.
    /// </summary>
    private JsValue Settle(JsValue promise)
    {
        JsValue? fulfilled = null;
        JsValue? rejected = null;
        var onFulfilled = new ClrFunction(_engine, "", (_, arguments) => fulfilled = arguments.At(0));
        var onRejected = new ClrFunction(_engine, "", (_, arguments) => rejected = arguments.At(0));
        promise.Get("then").Call(promise, [onFulfilled, onRejected]);
        _engine.Advanced.ProcessTasks();
        if (rejected is not null)
        {
            throw new JavaScriptException(rejected);
        }
        return fulfilled ?? throw new JavaScriptException(_engine.Intrinsics.Error, "the returned promise never settles");
    }

    public void Dispose() => _engine.Dispose();

    private void InstallHelpers()
    {
        _engine.SetValue("secret", new ClrFunction(_engine, "secret", (_, arguments) =>
        {
            var name = TypeConverter.ToString(arguments.At(0));
            return _scope?.Secret?.Invoke(name)
                ?? throw new JavaScriptException(_engine.Intrinsics.Error, $"unknown secret '{name}'");
        }, 1, PropertyFlag.Configurable));

        // Bound to the guarded JSON.stringify, which is installed before this.
        _engine.SetValue("json", _engine.Evaluate(
            "((stringify) => function json(value, indent) { return stringify(value, undefined, indent); })(JSON.stringify)"));

        var console = new JsObject(_engine);
        foreach (var name in new[] { "log", "info", "warn", "error", "debug" })
        {
            console.FastSetDataProperty(name, new ClrFunction(_engine, name, Log, 0, PropertyFlag.Configurable));
        }
        _engine.SetValue("console", console);
    }

    private JsValue Log(JsValue thisObject, JsValue[] arguments)
    {
        if (_logs is null || _logLines > MaxLogLines)
        {
            return JsValue.Undefined;
        }
        _logLines++;
        if (_logLines > MaxLogLines)
        {
            _logs.Add(DroppedLogsLine);
            return JsValue.Undefined;
        }
        var line = new StringBuilder();
        foreach (var argument in arguments)
        {
            if (line.Length > 0)
            {
                line.Append(' ');
            }
            line.Append(ScriptText.ForLog(argument));
        }
        _logs.Add(line.ToString());
        return JsValue.Undefined;
    }
}
