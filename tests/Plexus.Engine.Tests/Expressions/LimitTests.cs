using System.Diagnostics;
using System.Text.Json.Nodes;
using Plexus.Engine.Expressions;

namespace Plexus.Engine.Tests.Expressions;

/// <summary>Every sandbox limit ends a runaway script with a clear error, quickly, and leaves the host usable.</summary>
/// <remarks>
/// Jint has no string length limit of its own: the string size limit is enforced by guarded versions of the
/// built-ins that can build a long string in one call (repeat, padStart/padEnd, concat, join, toLocaleString,
/// replace/replaceAll, String.raw, JSON.stringify). Strings grown with + or template literals are bounded by the
/// memory limit instead, which Jint charges as they are built. Binary buffers (ArrayBuffer, typed arrays) are
/// allocated in one piece before any check, so the sandbox does not offer them.
/// </remarks>
public class LimitTests
{
    private static readonly ScriptHost Host = new();

    private static ScriptError ExpectLimit(ScriptHost host, string expression, string message)
    {
        // A first run builds a sandbox: keep that out of the measured time.
        Assert.Equal("2", host.EvaluateString("={{ 1 + 1 }}").Json());
        var watch = Stopwatch.StartNew();
        var error = host.EvaluateString(expression).Error;
        watch.Stop();
        Assert.NotNull(error);
        Assert.Equal("limit", error.Kind);
        Assert.Equal(message, error.Message);
        Assert.True(watch.Elapsed < host.ExpressionLimits.Timeout * 2, $"took {watch.Elapsed}");
        // The host is still healthy.
        Assert.Equal("\"42\"", host.EvaluateString("={{ trigger.params.id }}").Json());
        return error;
    }

    [Fact]
    public void An_endless_loop_hits_the_statement_limit()
    {
        ExpectLimit(Host, "={{ (() => { while (true) { } })() }}", "statement limit exceeded");
    }

    [Fact]
    public void An_endless_loop_hits_the_time_limit_when_statements_are_plenty()
    {
        var host = new ScriptHost(ScriptLimits.ExpressionDefaults with { MaxStatements = int.MaxValue - 1, Timeout = TimeSpan.FromMilliseconds(500) });
        ExpectLimit(host, "={{ (() => { while (true) { } })() }}", "time limit exceeded");
    }

    [Fact]
    public void A_huge_repeat_is_refused_before_it_is_built()
    {
        ExpectLimit(Host, "={{ 'x'.repeat(4e8).length }}", "string size limit exceeded");
    }

    [Fact]
    public void Joins_pads_replaces_and_stringify_of_shared_long_strings_are_refused()
    {
        ExpectLimit(Host, "={{ (s => Array(1000).fill(s).join(''))('x'.repeat(1e5)).length }}", "string size limit exceeded");
        ExpectLimit(Host, "={{ String(Array(1000).fill('x'.repeat(1e5))).length }}", "string size limit exceeded");
        ExpectLimit(Host, "={{ 'x'.padEnd(4e8, 'ab').length }}", "string size limit exceeded");
        ExpectLimit(Host, "={{ ''.concat(...Array(1000).fill('x'.repeat(1e5))).length }}", "string size limit exceeded");
        ExpectLimit(Host, "={{ 'x'.repeat(1e4).replace(/x/g, 'y'.repeat(1e4)).length }}", "string size limit exceeded");
        ExpectLimit(Host, "={{ 'x'.repeat(1e4).replaceAll('x', \"$'\").length }}", "string size limit exceeded");
        ExpectLimit(Host, "={{ JSON.stringify(Array(1000).fill('x'.repeat(1e5))).length }}", "string size limit exceeded");
        ExpectLimit(Host, "={{ String.raw({ raw: Array(1000).fill('x'.repeat(1e5)) }).length }}", "string size limit exceeded");
    }

    [Fact]
    public void Guarded_built_ins_keep_their_results()
    {
        Assert.Equal("""["abab","  7","7--","a,b,c","ab1true","1,2,3","[1,[2]]"]""",
            Host.EvaluateString("={{ ['ab'.repeat(2), '7'.padStart(3), '7'.padEnd(3, '-'), ['a','b','c'].join(), 'ab'.concat(1, true), String([1, [2, 3]]), JSON.stringify([1, [2]])] }}").Json());
        Assert.Equal("""["x-b-y","[a]-[b]","$&b","aXb","a-a-b","b-a","2024/01"]""",
            Host.EvaluateString("""={{ ['xay'.replace('a', '-b-'), 'a-b'.replace(/(\w)/g, '[$1]'), 'ab'.replace('a', '$$&'), 'ab'.replace(/(?<first>a)/, '$<first>X'), 'ab'.replace('b', "-$`-$&"), 'a-b'.replace(/(\w)-(\w)/, '$2-$1'), '01/2024'.replace(/(\d+)\/(\d+)/, (m, mm, yyyy) => yyyy + '/' + mm)] }}""").Json());
        Assert.Equal("\"{\\n  \\\"a\\\": [\\n    1\\n  ]\\n}\"", Host.EvaluateString("={{ JSON.stringify({ a: [1], b: undefined }, null, 2) }}").Json());
        Assert.Equal("\"{\\\"a\\\":1}\"", Host.EvaluateString("={{ JSON.stringify({ a: 1, b: 2 }, ['a']) }}").Json());
        Assert.Equal("\"{\\\"a\\\":2}\"", Host.EvaluateString("={{ JSON.stringify({ a: 1 }, (k, v) => typeof v === 'number' ? v * 2 : v) }}").Json());
        Assert.Equal("\"a1b\"", Host.EvaluateString("={{ String.raw`a${1}b` }}").Json());
        Assert.Equal("\"1,\"", Host.EvaluateString("={{ (a => (a.push(a), a.join()))([1]) }}").Json());
    }

    [Fact]
    public void A_growing_array_hits_the_array_size_limit()
    {
        ExpectLimit(Host, "={{ (() => { const a = []; while (true) a.push(1); })() }}", "array size limit exceeded");
    }

    [Fact]
    public void Allocating_too_much_hits_the_memory_limit()
    {
        ExpectLimit(Host, "={{ (() => { const a = []; for (let i = 0; i < 1e4; i++) a.push('y'.repeat(1000) + i); return a.length; })() }}", "memory limit exceeded");
    }

    [Fact]
    public void A_catastrophic_regex_hits_the_regex_time_limit()
    {
        ExpectLimit(Host, "={{ /(a+)+$/.test('a'.repeat(30) + 'b') }}", "regex time limit exceeded");
    }

    [Fact]
    public void Deep_recursion_hits_the_recursion_limit()
    {
        ExpectLimit(Host, "={{ (() => { function f() { return f(); } return f(); })() }}", "recursion limit exceeded");
    }

    [Fact]
    public void A_limit_cannot_be_caught_by_the_script()
    {
        ExpectLimit(Host, "={{ (() => { try { while (true) { } } catch { return 'caught'; } })() }}", "statement limit exceeded");
        ExpectLimit(Host, "={{ (() => { try { return 'x'.repeat(4e8); } catch { return 'caught'; } })() }}", "string size limit exceeded");
    }

    [Fact]
    public void Buffers_bigints_and_code_from_strings_are_not_available()
    {
        Assert.Equal("""["undefined","undefined","undefined","undefined"]""",
            Host.EvaluateString("={{ [typeof ArrayBuffer, typeof Uint8Array, typeof BigInt, typeof SharedArrayBuffer] }}").Json());
        Assert.Equal("runtime", Host.EvaluateString("={{ new Function('return 1')() }}").Error?.Kind);
    }

    [Fact]
    public void A_token_cancels_a_running_script()
    {
        var host = new ScriptHost(codeLimits: ScriptLimits.CodeDefaults with { MaxStatements = int.MaxValue - 1, Timeout = TimeSpan.FromSeconds(30) });
        var code = host.CompileCode("while (true) { }");
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var watch = Stopwatch.StartNew();
        var outcome = host.RunCode(code, Scopes.Sample(), [], cancellation.Token);
        Assert.Equal("cancelled", outcome.Error?.Kind);
        Assert.Equal("cancelled", outcome.Error?.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        Assert.Equal("3", host.RunCode(host.CompileCode("return 1 + 2"), Scopes.Sample(), [], CancellationToken.None).Json());
    }

    [Fact]
    public void An_already_cancelled_token_stops_before_running()
    {
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();
        var outcome = Host.Evaluate(Host.Compile(JsonValue.Create("={{ 1 }}")), Scopes.Sample(), cancellation.Token);
        Assert.Equal("cancelled", outcome.Error?.Kind);
    }
}
