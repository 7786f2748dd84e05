using Plexus.Engine.Expressions;

namespace Plexus.Engine.Tests.Expressions;

public class CodeTests
{
    private static readonly ScriptHost Host = new();

    private static ScriptOutcome Run(string body, List<string>? logs = null) =>
        Host.RunCode(Host.CompileCode(body), Scopes.Sample(), logs ?? [], CancellationToken.None);

    [Fact]
    public void A_body_returns_its_output()
    {
        Assert.Equal("""{"sum":55}""", Run("return { sum: input.body.numbers.reduce((a, b) => a + b, 0) }").Json());
        Assert.Equal("55", Run("let total = 0; for (const n of input.body.numbers) total += n; return total;").Json());
        Assert.Equal("""{"id":"42","region":"eu-west","token":"s3cr3t"}""", Run("return { id: trigger.params.id, region: env.REGION, token: secret('token') }").Json());
    }

    [Fact]
    public void Nothing_returned_is_null()
    {
        Assert.Equal("null", Run("const x = 1;").Json());
        Assert.Equal("null", Run("return undefined;").Json());
        Assert.Equal("null", Run("return () => 1;").Json());
    }

    [Fact]
    public void Returned_values_become_json()
    {
        Assert.Equal("""[55,0.5,null,null,"2020-01-01T00:00:00.000Z",{"a":1}]""",
            Run("return [55.0, 0.5, NaN, Infinity, new Date(Date.UTC(2020, 0, 1)), { a: 1, b: undefined, f() { } }]").Json());
        Assert.Equal("\"done\"", Run("return Promise.resolve('done')").Json());
        var cycle = Run("const a = {}; a.self = a; return a;").Error;
        Assert.Equal("runtime", cycle?.Kind);
    }

    [Fact]
    public void Returned_promises_are_settled()
    {
        Assert.Equal("5", Run("return (async () => { await null; return 5; })()").Json());
        Assert.Equal("nope", Run("return Promise.reject(new Error('nope'))").Error?.Message);
        Assert.Equal("the returned promise never settles", Run("return new Promise(() => { })").Error?.Message);
    }

    [Fact]
    public void Common_assignments_to_inherited_built_in_properties_still_work()
    {
        Assert.Equal("""["MyError: boom","x","m"]""", Run("""
            class MyError extends Error { constructor(message) { super(message); this.name = 'MyError'; } }
            const o = {}; o.toString = () => 'x';
            const e = new Error(); e.message = 'm';
            return [String(new MyError('boom')), String(o), e.message];
            """).Json());
        Assert.Equal("runtime", Run("Object.prototype.toString = () => 'hacked'; return 1;").Error?.Kind);
        Assert.Equal("\"[object Object]\"", Run("return String({})").Json());
    }

    [Fact]
    public void Console_lines_are_captured()
    {
        var logs = new List<string>();
        Assert.True(Run("console.log('a', 1, { b: [2] }, null, undefined, true); console.warn('w'); console.error(new Error('e').message); return 1;", logs).Succeeded);
        Assert.Equal(["a 1 {\"b\":[2]} null undefined true", "w", "e"], logs);
    }

    [Fact]
    public void Console_output_is_capped()
    {
        var logs = new List<string>();
        Assert.True(Run("for (let i = 0; i < 5000; i++) console.log(i); return 1;", logs).Succeeded);
        Assert.Equal(Sandbox.MaxLogLines + 1, logs.Count);
        Assert.Equal("999", logs[^2]);
    }

    [Fact]
    public void A_syntax_error_in_a_body_has_its_position()
    {
        var code = Host.CompileCode("const a = 1;\nreturn a +;");
        var problem = Assert.Single(code.Problems);
        Assert.Equal("", problem.Path);
        Assert.Equal("syntax", problem.Error.Kind);
        Assert.Equal(2, problem.Error.Line);
        Assert.Equal(11, problem.Error.Column);
        Assert.Equal("syntax", Host.RunCode(code, Scopes.Sample(), [], CancellationToken.None).Error?.Kind);
        Assert.NotEmpty(Host.CompileCode("return 1 }, function () {").Problems);
        // The scope names are parameters of the wrapper: declaring one again is refused, at its position.
        var redeclared = Assert.Single(Host.CompileCode("const x = 1;\nconst input = 2;").Problems).Error;
        Assert.Equal("Identifier 'input' has already been declared", redeclared.Message);
        Assert.Equal(2, redeclared.Line);
    }

    [Fact]
    public void A_runtime_error_in_a_body_has_its_position()
    {
        var error = Run("const a = null;\n\nreturn a.b;").Error;
        Assert.Equal("runtime", error?.Kind);
        Assert.Equal("Cannot read properties of null (reading 'b')", error?.Message);
        Assert.Equal(3, error?.Line);
        Assert.Null(error?.Path);
    }

    [Fact]
    public void Code_has_larger_limits_than_expressions()
    {
        Assert.Equal("200000", Run("return Array.from({ length: 200000 }, (_, i) => i).length").Json());
        Assert.Equal("array size", Host.EvaluateString("={{ Array.from({ length: 200000 }, (_, i) => i).length }}").Error?.Message.Replace(" limit exceeded", "", StringComparison.Ordinal));
    }
}
