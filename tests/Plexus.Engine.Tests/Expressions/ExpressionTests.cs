using System.Text.Json.Nodes;
using Plexus.Engine.Expressions;

namespace Plexus.Engine.Tests.Expressions;

public class ExpressionTests
{
    private static readonly ScriptHost Host = new();

    [Fact]
    public void A_whole_value_expression_returns_typed_json()
    {
        Assert.Equal("\"42\"", Host.EvaluateString("={{ trigger.params.id }}").Json());
        Assert.Equal("55", Host.EvaluateString("={{ input.body.numbers.reduce((a, b) => a + b, 0) }}").Json());
        Assert.Equal("2.5", Host.EvaluateString("={{ 5 / 2 }}").Json());
        Assert.Equal("true", Host.EvaluateString("={{ input.count > 2 }}").Json());
        Assert.Equal("null", Host.EvaluateString("={{ null }}").Json());
        Assert.Equal("null", Host.EvaluateString("={{ undefined }}").Json());
        Assert.Equal("""{"a":[1,"x",{"b":null}]}""", Host.EvaluateString("={{ ({ a: [1, 'x', { b: null }] }) }}").Json());
        Assert.Equal("""[1,3]""", Host.EvaluateString("  ={{ [1, 2, 3].filter(n => n % 2) }}  ".Trim()).Json());
    }

    [Fact]
    public void Surrounding_whitespace_after_the_equals_sign_still_makes_a_whole_value_expression()
    {
        Assert.Equal("7", Host.EvaluateString("=  {{ 3 + 4 }}  ").Json());
    }

    [Fact]
    public void Numbers_that_are_not_finite_become_null_and_dates_become_iso_strings()
    {
        Assert.Equal("null", Host.EvaluateString("={{ 0 / 0 }}").Json());
        Assert.Equal("[null,null]", Host.EvaluateString("={{ [Infinity, -Infinity] }}").Json());
        Assert.Equal("\"2024-01-02T03:04:05.000Z\"", Host.EvaluateString("={{ new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) }}").Json());
        Assert.Equal("""{"a":1}""", Host.EvaluateString("={{ ({ a: 1, f() { }, u: undefined }) }}").Json());
    }

    [Fact]
    public void A_template_stringifies_each_expression()
    {
        Assert.Equal("\"Hello, Grace!\"", Host.EvaluateString("Hello, {{ trigger.body.name }}!").Json());
        Assert.Equal("\"n=55 f=2.5 b=true o={\\\"a\\\":[1,2]} e= u=\"",
            Host.EvaluateString("n={{ 55 }} f={{ 2.5 }} b={{ true }} o={{ ({ a: [1, 2] }) }} e={{ null }} u={{ undefined }}").Json());
        Assert.Equal("\"id: 42\"", Host.EvaluateString("=id: {{ trigger.params.id }}").Json());
        Assert.Equal("\"7\"", Host.EvaluateString("{{ 3 + 4 }}").Json());
        Assert.Equal("\"é<>\"", Host.EvaluateString("{{ ({ a: 'é<>' }).a }}").Json());
    }

    [Fact]
    public void Braces_and_strings_inside_an_expression_do_not_end_it()
    {
        Assert.Equal("""{"a":{"b":1}}""", Host.EvaluateString("={{ {a: {b: 1}} }}").Json());
        Assert.Equal("\"}}\"", Host.EvaluateString("={{ '}}' }}").Json());
        Assert.Equal("\"x-}}-1\"", Host.EvaluateString("={{ `x-${'}}'}-${ {a: 1}.a }` }}").Json());
    }

    [Fact]
    public void An_equals_sign_without_expression_gives_the_text_after_it()
    {
        Assert.Equal("\"=\"", Host.EvaluateString("==").Json());
        Assert.Equal("\"plain\"", Host.EvaluateString("=plain").Json());
    }

    [Fact]
    public void A_literal_evaluates_to_the_same_instance()
    {
        var node = JsonNode.Parse("""{ "url": "https://example.com", "retries": [1, 2, { "x": "{ not a template }" }], "flag": true }""");
        var compiled = Host.Compile(node);
        Assert.True(compiled.IsLiteral);
        Assert.Same(node, compiled.Literal);
        var outcome = Host.Evaluate(compiled, Scopes.Sample(), CancellationToken.None);
        Assert.Same(node, outcome.Value);

        var text = JsonValue.Create("plain text");
        Assert.Same(text, Host.Evaluate(Host.Compile(text), Scopes.Sample(), CancellationToken.None).Value);
        Assert.True(Host.Compile(null).IsLiteral);
        Assert.Null(Host.Evaluate(Host.Compile(null), Scopes.Sample(), CancellationToken.None).Value);
    }

    [Fact]
    public void A_nested_object_mixes_literals_and_expressions_into_a_fresh_value()
    {
        var node = JsonNode.Parse("""
            { "url": "https://example.com/{{ trigger.params.id }}", "body": { "id": "={{ Number(trigger.params.id) }}", "fixed": { "a": 1 } },
              "items": ["a", "={{ input.count }}", { "deep": "={{ env.REGION }}" }], "n": 5 }
            """)!;
        var compiled = Host.Compile(node);
        Assert.False(compiled.IsLiteral);
        Assert.Empty(compiled.Problems);
        var outcome = Host.Evaluate(compiled, Scopes.Sample(), CancellationToken.None);
        Assert.Equal("""{"url":"https://example.com/42","body":{"id":42,"fixed":{"a":1}},"items":["a",3,{"deep":"eu-west"}],"n":5}""", outcome.Json());
        Assert.NotSame(node["body"]!["fixed"], outcome.Value!["body"]!["fixed"]);
        Assert.Null(outcome.Value!.Parent);
        // The compiled setting is unchanged and can be evaluated again.
        Assert.Equal(outcome.Json(), Host.Evaluate(compiled, Scopes.Sample(), CancellationToken.None).Json());
    }

    [Fact]
    public void Placeholders_resolve_secrets_and_env_in_literal_strings()
    {
        Assert.Equal("\"Bearer s3cr3t\"", Host.EvaluateString("Bearer <secret:token>").Json());
        Assert.Equal("\"https://api.example.com/v1 (eu-west)\"", Host.EvaluateString("<env:API_URL>/v1 (<env:REGION>)").Json());
        Assert.Equal("""{"h":{"auth":"s3cr3t"}}""", Host.Evaluate("""{ "h": { "auth": "<secret:token>" } }""").Json());
    }

    [Fact]
    public void Placeholders_are_not_resolved_inside_expressions()
    {
        Assert.Equal("\"<secret:token>\"", Host.EvaluateString("={{ '<secret:token>' }}").Json());
        Assert.Equal("\"a <env:REGION> b\"", Host.EvaluateString("a {{ '<env:REGION>' }} b").Json());
        Assert.Equal("\"s3cr3t\"", Host.EvaluateString("={{ secret('token') }}").Json());
    }

    [Fact]
    public void An_unknown_placeholder_is_an_error()
    {
        var secret = Host.EvaluateString("Bearer <secret:nope>").Error;
        Assert.NotNull(secret);
        Assert.Equal("placeholder", secret.Kind);
        Assert.Equal("unknown secret 'nope'", secret.Message);
        var env = Host.Evaluate("""{ "a": ["<env:MISSING>"] }""").Error;
        Assert.NotNull(env);
        Assert.Equal("unknown env 'MISSING'", env.Message);
        Assert.Equal("a[0]", env.Path);
    }

    [Fact]
    public void An_unknown_secret_inside_an_expression_is_a_runtime_error()
    {
        var error = Host.EvaluateString("={{ secret('nope') }}").Error;
        Assert.NotNull(error);
        Assert.Equal("runtime", error.Kind);
        Assert.Equal("unknown secret 'nope'", error.Message);
    }

    [Fact]
    public void A_syntax_error_is_found_at_compile_time_with_path_line_and_column()
    {
        var compiled = Host.Compile(JsonNode.Parse("""{ "body": { "id": "={{ foo(1, )) }}" }, "items": ["a", "b", "x {{ 1 +\n  ) }}"] }"""));
        Assert.Collection(compiled.Problems,
            problem =>
            {
                Assert.Equal("body.id", problem.Path);
                Assert.Equal("syntax", problem.Error.Kind);
                Assert.Equal("Unexpected token ')'", problem.Error.Message);
                Assert.Equal(1, problem.Error.Line);
                Assert.Equal(10, problem.Error.Column);
            },
            problem =>
            {
                Assert.Equal("items[2]", problem.Path);
                Assert.Equal("Unexpected token ')'", problem.Error.Message);
                Assert.Equal(2, problem.Error.Line);
                Assert.Equal(3, problem.Error.Column);
            });
        var evaluated = Host.Evaluate(compiled, Scopes.Sample(), CancellationToken.None);
        Assert.Equal("syntax", evaluated.Error?.Kind);
        Assert.Equal("body.id", evaluated.Error?.Path);
    }

    [Fact]
    public void Keys_that_are_not_plain_names_are_quoted_in_paths()
    {
        var compiled = Host.Compile(JsonNode.Parse("""{ "a.b": { "c d": "={{ ) }}" }, "ok": { "café": ["={{ ) }}"] } }"""));
        Assert.Equal(["""["a.b"]["c d"]""", "ok.café[0]"], compiled.Problems.Select(problem => problem.Path));
    }

    [Fact]
    public void A_statement_where_an_expression_belongs_is_a_syntax_error()
    {
        Assert.NotEmpty(Host.Compile(JsonValue.Create("={{ 1); (2 }}")).Problems);
        Assert.NotEmpty(Host.Compile(JsonValue.Create("={{ }}")).Problems);
        Assert.StartsWith("Invalid regular expression", Assert.Single(Host.Compile(JsonValue.Create("={{ /(/.test('a') }}")).Problems).Error.Message);
        Assert.Equal("BigInt is not supported", Assert.Single(Host.Compile(JsonValue.Create("={{ 2n ** 100000000n }}")).Problems).Error.Message);
    }

    [Fact]
    public void A_runtime_error_carries_the_javascript_message_and_position()
    {
        var error = Host.EvaluateString("={{ input.count +\n  input.missing.deeper }}").Error;
        Assert.NotNull(error);
        Assert.Equal("runtime", error.Kind);
        Assert.Equal("Cannot read properties of undefined (reading 'deeper')", error.Message);
        Assert.Equal(2, error.Line);
        Assert.Equal("", error.Path);

        var thrown = Host.EvaluateString("={{ (() => { throw new Error('boom'); })() }}").Error;
        Assert.Equal("boom", thrown?.Message);
    }

    [Fact]
    public void Referenced_nodes_are_collected_from_every_expression()
    {
        var compiled = Host.Compile(JsonNode.Parse("""
            { "a": "={{ nodes.fetch.output.id }}", "b": ["x {{ nodes['load-user'].output.name }} {{ nodes[\"other\"].output }}"],
              "c": "nodes.notAnExpression", "d": "={{ nodes?.opt?.output }}" }
            """));
        Assert.Equal(new[] { "fetch", "load-user", "opt", "other" }, compiled.ReferencedNodes.Order(StringComparer.Ordinal));
        Assert.Equal(new[] { "x" }, Host.CompileCode("return nodes.x.output").ReferencedNodes);
    }

    [Fact]
    public void Node_outputs_are_looked_up_only_when_read()
    {
        var outputs = new NodeOutputs(new Dictionary<string, JsonNode?>
        {
            ["fetch"] = JsonNode.Parse("""{ "id": 7, "tags": ["a", "b"] }"""),
            ["big"] = JsonNode.Parse("[1, 2, 3]"),
        });
        var scope = Scopes.Sample(outputs);
        Assert.Equal("7", Host.EvaluateString("={{ nodes.fetch.output.id }}", scope).Json());
        Assert.Equal(1, outputs.Lookups);
        Assert.Equal("true", Host.EvaluateString("={{ nodes.missing === undefined }}", scope).Json());
        Assert.Equal("\"b\"", Host.EvaluateString("={{ (id => nodes[id].output.tags[1])('fet' + 'ch') }}", scope).Json());
        Assert.Equal("42", Host.EvaluateString("={{ input.count + 39 }}", scope).Json());
        Assert.Equal(3, outputs.Lookups);
        Assert.Equal("runtime", Host.EvaluateString("={{ (nodes.fetch = 1) }}", scope).Error?.Kind);
    }

    [Fact]
    public void Loop_is_undefined_outside_a_loop()
    {
        Assert.Equal("\"undefined\"", Host.EvaluateString("={{ typeof loop }}").Json());
        var inLoop = Scopes.Sample(loop: JsonNode.Parse("""{ "item": { "n": 4 }, "index": 2 }"""));
        Assert.Equal("8", Host.EvaluateString("={{ loop.item.n * loop.index }}", inLoop).Json());
    }

    [Fact]
    public void Env_execution_and_helpers_are_visible()
    {
        Assert.Equal("\"eu-west/test/orders/ex-1\"", Host.EvaluateString("={{ [env.REGION, execution.stage, execution.workflow, execution.id].join('/') }}").Json());
        Assert.Equal("\"{\\\"a\\\":1}\"", Host.EvaluateString("={{ json({ a: 1 }) }}").Json());
        Assert.Equal("\"undefined\"", Host.EvaluateString("={{ typeof env.NOPE }}").Json());
    }

    [Fact]
    public void A_script_cannot_change_the_scope_values_of_the_caller()
    {
        var scope = Scopes.Sample();
        Assert.Equal("99", Host.EvaluateString("={{ (input.count = 99, input.count) }}", scope).Json());
        Assert.Equal(3, scope.Input!["count"]!.GetValue<int>());
    }
}
