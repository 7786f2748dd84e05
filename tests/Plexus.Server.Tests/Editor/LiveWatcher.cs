using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Plexus.Server.Tests.Editor;

/// <summary>
/// A .NET client of <c>/hubs/executions</c> on the real server, joined to one execution: the browser specs use it
/// to know what a run did while the browser could not hear it.
/// </summary>
internal sealed class LiveWatcher : IAsyncDisposable
{
    private readonly HubConnection _connection;
    private readonly ConcurrentQueue<(string Type, string? Node)> _seen = new();
    private readonly SemaphoreSlim _arrived = new(0);

    private LiveWatcher(HubConnection connection) => _connection = connection;

    public static async Task<LiveWatcher> JoinAsync(string serverUrl, string accessToken, string executionId)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri($"{serverUrl}/hubs/executions"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(accessToken))
            .Build();
        var watcher = new LiveWatcher(connection);
        connection.On<JsonElement>("event", e => watcher.Add(e));
        await connection.StartAsync(TestContext.Current.CancellationToken);
        var joined = await connection.InvokeAsync<JsonElement>("Join", Guid.Parse(executionId), TestContext.Current.CancellationToken);
        foreach (var earlier in joined.GetProperty("events").EnumerateArray())
        {
            watcher.Add(earlier);
        }

        return watcher;
    }

    public bool Saw(string type, string? node = null) => _seen.Any(e => e.Type == type && (node is null || e.Node == node));

    /// <summary>Waits (at most 30 s) until an event of this type, of this node, has arrived.</summary>
    public async Task UntilAsync(string type, string? node = null)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (!Saw(type, node))
        {
            await _arrived.WaitAsync(timeout.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync();
        _arrived.Dispose();
    }

    private void Add(JsonElement e)
    {
        _seen.Enqueue((e.GetProperty("type").GetString()!, e.TryGetProperty("nodeId", out var node) ? node.GetString() : null));
        _arrived.Release();
    }
}
