namespace Plexus.Server.Features.Executions;

/// <summary>
/// The logging scope around a run. Scopes flow with the async context, so every line logged while the run goes on (by the
/// server, by the HTTP client of <c>http.request</c>, in the background after a 202) carries the run's ids.
/// </summary>
public static class RunLogScope
{
    private static readonly Func<ILogger, string, Guid, IDisposable?> Scope =
        LoggerMessage.DefineScope<string, Guid>("CorrelationId:{CorrelationId} ExecutionId:{ExecutionId}");

    /// <param name="correlationId">The run's; without one (an API run), the execution id stands in, as it does on routes.</param>
    public static IDisposable? Begin(ILogger logger, string? correlationId, Guid executionId) =>
        Scope(logger, correlationId ?? executionId.ToString("n"), executionId);
}
