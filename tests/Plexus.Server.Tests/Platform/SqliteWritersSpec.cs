using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Plexus.Persistence;
using Plexus.Server.Tests.Support;

namespace Plexus.Server.Tests.Platform;

/// <summary>SQLite has one writer at a time: the server's writers take turns instead of starving each other (SQLite only).</summary>
public sealed class SqliteWritersSpec(SqliteServer server) : IClassFixture<SqliteServer>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A statement that takes SQLite's write lock and changes nothing.</summary>
    private static Task<int> WriteAsync(AppDbContext db) =>
        db.Projects.Where(p => p.Id == Guid.Empty).ExecuteUpdateAsync(s => s.SetProperty(p => p.Name, "none"), Ct);

    [Fact]
    public async Task A_write_gets_its_turn_while_another_connection_writes_transaction_after_transaction()
    {
        // Like the execution recorder under load: write transactions back to back, with no pause between them.
        using var stop = new CancellationTokenSource();
        var transactions = 0;
        var steady = Task.Run(async () =>
        {
            await using var scope = server.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            while (!stop.IsCancellationRequested)
            {
                await using var transaction = await db.Database.BeginTransactionAsync(Ct);
                await WriteAsync(db);
                await Task.Delay(30, Ct);
                await transaction.CommitAsync(Ct);
                Interlocked.Increment(ref transactions);
            }
        }, Ct);
        while (Volatile.Read(ref transactions) < 3)
        {
            await Task.Delay(10, Ct);
        }

        var before = Volatile.Read(ref transactions);
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            await WriteAsync(db);
            await using var transaction = await db.Database.BeginTransactionAsync(Ct);
            await WriteAsync(db);
            await transaction.CommitAsync(Ct);
        }

        var passed = Volatile.Read(ref transactions) - before;
        await stop.CancelAsync();
        await steady;

        // Each of the two writes waits for the transaction under way, at most one more. Polling for the lock (every
        // 150 ms) let five or more go first each time, and gave up after 30 s: "database is locked".
        Assert.True(passed <= 4, $"{passed} of the other connection's transactions went first");
    }

    [Fact]
    public async Task A_transaction_disposed_uncommitted_on_a_connection_kept_open_gives_its_turn_back()
    {
        await using var owner = server.Services.CreateAsyncScope();
        var kept = owner.ServiceProvider.GetRequiredService<AppDbContext>();
        await kept.Database.OpenConnectionAsync(Ct);
        await using (await kept.Database.BeginTransactionAsync(Ct))
        {
            // Like an expected failure that returns before the commit: the transaction is disposed, and rolls back.
            await WriteAsync(kept);
        }

        // Well within the 30 s that a turn kept by the ended transaction cost every other writer.
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        patience.CancelAfter(TimeSpan.FromSeconds(10));
        await using var other = server.Services.CreateAsyncScope();
        var db = other.ServiceProvider.GetRequiredService<AppDbContext>();
        var changed = await db.Projects.Where(p => p.Id == Guid.Empty).ExecuteUpdateAsync(s => s.SetProperty(p => p.Name, "none"), patience.Token);

        Assert.Equal(0, changed);
        Assert.DoesNotContain(server.Logs.Lines, line => line.Contains("waited", StringComparison.Ordinal));
    }
}
