using System.Text.RegularExpressions;
using Jint.Runtime;
using Plexus.Engine.Json;

namespace Plexus.Engine.Expressions;

/// <summary>Turns what a run threw into a <see cref="ScriptError"/>.</summary>
internal static class ScriptFailures
{
    /// <summary>The error, and whether the sandbox must be dropped because the run was stopped half-way.</summary>
    public static (ScriptError Error, bool Abandon) Classify(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        OperationCanceledException when cancellationToken.IsCancellationRequested => (new ScriptError("cancelled", "cancelled"), true),
        // Before TimeoutException, which it derives from.
        RegexMatchTimeoutException => (Limit("regex time"), true),
        OperationCanceledException or TimeoutException => (Limit("time"), true),
        StatementsCountOverflowException => (Limit("statement"), true),
        MemoryLimitExceededException memory when memory.Message.StartsWith("The array size", StringComparison.Ordinal) => (Limit("array size"), true),
        MemoryLimitExceededException or OutOfMemoryException => (Limit("memory"), true),
        RecursionDepthOverflowException or InsufficientExecutionStackException => (Limit("recursion"), true),
        ScriptLimitException limit => (Limit(limit.Kind), true),
        JavaScriptException script => (FromJavaScript(script), false),
        JsonConversionException conversion => (new ScriptError("runtime", conversion.Message), false),
        // Anything else came from the host side (a secret resolver, node outputs) mid-run: do not trust the engine's state.
        _ => (new ScriptError("runtime", exception.Message), true),
    };

    private static ScriptError Limit(string kind) => new("limit", $"{kind} limit exceeded");

    private static ScriptError FromJavaScript(JavaScriptException exception)
    {
        // The engine's own guards surface as catchable RangeErrors; uncaught, they are limits like the others.
        switch (exception.Message)
        {
            case "Invalid string length":
                return Limit("string size");
            case "Maximum call stack size exceeded":
                return Limit("recursion");
        }
        var start = exception.Location.Start;
        // Line 1 of the wrapper is its header: source line N is wrapper line N + 1.
        return start.Line > 1
            ? new ScriptError("runtime", exception.Message, start.Line - 1, start.Column + 1)
            : new ScriptError("runtime", exception.Message);
    }
}
