using System.Globalization;
using Plexus.Engine.Execution;

namespace Plexus.Cli;

/// <summary><c>--trace</c>: every live event as it happens, one line each (values arrive redacted and shortened).</summary>
internal sealed class TraceSink : IExecutionEventSink
{
    private const int PreviewChars = 120;
    private readonly TextWriter _writer;
    private readonly string _prefix;
    private readonly Lock _gate;

    public TraceSink(TextWriter writer)
        : this(writer, "", new Lock())
    {
    }

    private TraceSink(TextWriter writer, string prefix, Lock gate)
    {
        _writer = writer;
        _prefix = prefix;
        _gate = gate;
    }

    /// <summary>A sink for a called blueprint's run: its lines name the blueprint.</summary>
    public TraceSink Nested(string blueprint) => new(_writer, $"{_prefix}{blueprint} › ", _gate);

    public void Publish(ExecutionEvent executionEvent)
    {
        ArgumentNullException.ThrowIfNull(executionEvent);
        var line = Format(executionEvent);
        lock (_gate)
        {
            _writer.WriteLine(line);
            _writer.Flush();
        }
    }

    private string Format(ExecutionEvent e)
    {
        var at = e.At.ToUniversalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
        var text = $"trace {at} {_prefix}{e.Type,-13}";
        if (e.NodeId is { } node)
        {
            text += $" #{e.Sequence} {node}";
        }
        else if (e.Type == ExecutionEventTypes.RunStarted)
        {
            text += $" execution {e.ExecutionId}";
        }

        if (e.Status is { } status && e.Type != ExecutionEventTypes.NodeSkipped)
        {
            text += $" {status}";
        }

        if (e.DurationMs is { } ms && e.Type == ExecutionEventTypes.NodeFinished)
        {
            text += $" {Display.Duration(ms)}";
        }

        if (e.ResumeToken is { } token)
        {
            text += $" resume token {token}";
        }

        if (e.Error is { } error)
        {
            text += $" error: {Cli.OneLine(error)}";
        }
        else if (e.Preview is { } preview)
        {
            text += $" → {Display.Shorten(Display.Json(preview), PreviewChars)}";
        }

        return text;
    }
}
