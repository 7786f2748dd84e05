using System.Text.Json.Nodes;
using Plexus.Engine.Expressions;

namespace Plexus.Engine.Tests.Expressions;

/// <summary>Nothing one run does is visible to the next, and parallel runs do not disturb each other.</summary>
public class IsolationTests
{
    [Fact]
    public void Globals_and_built_in_prototypes_cannot_be_changed()
    {
        var host = new ScriptHost();
        foreach (var attempt in new[] { "globalThis.x = 1", "Object.prototype.polluted = 1", "Array.prototype.map = null", "Math.max = () => 0", "JSON.stringify = null" })
        {
            var error = host.EvaluateString($"={{{{ ({attempt}) }}}}").Error;
            Assert.Equal("runtime", error?.Kind);
        }
        Assert.Equal("""["undefined","undefined",[2,4],3]""",
            host.EvaluateString("={{ [typeof globalThis.x, typeof ({}).polluted, [1, 2].map(n => n * 2), Math.max(1, 3)] }}").Json());
    }

    [Fact]
    public void Code_cannot_leave_state_for_a_later_run()
    {
        var host = new ScriptHost();
        var write = host.CompileCode("""
            try { globalThis.leak = input; } catch { }
            try { Object.defineProperty(Object.prototype, 'leak', { value: 1 }); } catch { }
            try { Array.prototype.push = function () { return 0; }; } catch { }
            /(\w+)/.exec('secret-value');
            var counter = 1;
            return 'written';
            """);
        var read = host.CompileCode("""
            return [typeof leak, typeof ({}).leak, [].push(1), typeof counter, typeof RegExp.$1];
            """);
        Assert.Equal("\"written\"", host.RunCode(write, Scopes.Sample(), [], CancellationToken.None).Json());
        Assert.Equal("""["undefined","undefined",1,"undefined","undefined"]""", host.RunCode(read, Scopes.Sample(), [], CancellationToken.None).Json());
    }

    [Fact]
    public void Promise_jobs_left_by_a_run_never_run_in_the_next_one()
    {
        var host = new ScriptHost();
        var failed = new List<string>();
        var succeeded = new List<string>();
        var next = new List<string>();
        Assert.Equal("runtime", host.RunCode(host.CompileCode("Promise.resolve().then(() => console.log('late', secret('token'))); throw new Error('x');"), Scopes.Sample(), failed, CancellationToken.None).Error?.Kind);
        Assert.Equal("1", host.RunCode(host.CompileCode("Promise.resolve().then(() => console.log('unawaited')); return 1;"), Scopes.Sample(), succeeded, CancellationToken.None).Json());
        Assert.Equal("2", host.RunCode(host.CompileCode("return 2;"), Scopes.Sample(), next, CancellationToken.None).Json());
        Assert.Empty(failed);
        Assert.Equal(["unawaited"], succeeded);
        Assert.Empty(next);
    }

    [Fact]
    public void Parallel_evaluations_on_one_host_give_the_right_results()
    {
        var host = new ScriptHost();
        var expression = host.Compile(JsonNode.Parse("""{ "double": "={{ input.n * 2 }}", "text": "n is {{ input.n }}", "fixed": 1 }"""));
        var code = host.CompileCode("console.log('n', input.n); return input.n + 1;");
        var failures = 0;
        Parallel.For(0, 200, i =>
        {
            var scope = new ScriptScope { Input = new JsonObject { ["n"] = i } };
            var value = host.Evaluate(expression, scope, CancellationToken.None).Value;
            var logs = new List<string>();
            var result = host.RunCode(code, scope, logs, CancellationToken.None).Value;
            var correct = value?["double"]?.GetValue<long>() == i * 2 && value?["text"]?.GetValue<string>() == $"n is {i}"
                && result?.GetValue<long>() == i + 1 && logs.SequenceEqual([$"n {i}"]);
            if (!correct)
            {
                Interlocked.Increment(ref failures);
            }
        });
        Assert.Equal(0, failures);
    }
}
