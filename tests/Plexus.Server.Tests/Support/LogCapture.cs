using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Plexus.Server.Tests.Support;

/// <summary>
/// Keeps every log line a server writes (all levels the server's filters let through), each followed by the scopes it was
/// written in (<c>=&gt; scope =&gt; scope</c>, as the console shows them), to check what a line must or must never carry.
/// </summary>
public sealed class LogCapture : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<string> _lines = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, this);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(string category, LogCapture capture) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => capture._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            var line = new StringBuilder($"{category} {logLevel}: {formatter(state, exception)} {state} {exception}");
            capture._scopes.ForEachScope((scope, text) => text.Append(" => ").Append(scope), line);
            capture._lines.Enqueue(line.ToString());
        }
    }
}
