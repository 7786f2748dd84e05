using System.Diagnostics;
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

        var watch = Stopwatch.StartNew();
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            await WriteAsync(db);
            await using var transaction = await db.Database.BeginTransactionAsync(Ct);
            await WriteAsync(db);
            await transaction.CommitAsync(Ct);
        }

        var waited = watch.Elapsed;
        await stop.CancelAsync();
        await steady;

        // Polling for the lock (every 150 ms) almost never finds it free here, and gave up after 30 s: "database is locked".
        Assert.True(waited < TimeSpan.FromSeconds(5), $"the writes waited {waited}");
    }
}
