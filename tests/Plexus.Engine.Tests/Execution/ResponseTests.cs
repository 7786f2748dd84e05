using Plexus.Engine.Execution;
using Plexus.Engine.Tests.Support;

namespace Plexus.Engine.Tests.Execution;

/// <summary><c>http.response</c>: cookies and binary bodies, as the engine hands them to a host.</summary>
public sealed class ResponseTests
{
    private readonly TestEngine _engine = new();

    private static WorkflowBuilder Reply(string settings) => new WorkflowBuilder()
        .Node("start", "trigger.manual")
        .Node("reply", "http.response", settings)
        .Chain("start", "reply");

    [Fact]
    public async Task Cookies_become_set_cookie_headers_with_their_attributes()
    {
        var result = await _engine.RunAsync(Reply("""
            { "cookies": {
                "theme": "dark",
                "session": { "value": "={{ input.token }}", "path": "/", "domain": "example.com", "maxAge": 3600,
                             "expires": "2030-01-02T03:04:05Z", "httpOnly": true, "secure": true, "sameSite": "none" } } }
            """), """{ "token": "abc.123=" }""");

        Assert.Equal(ExecutionStatus.Succeeded, result.Status);
        Assert.Equal(
            ["theme=dark", "session=abc.123=; Path=/; Domain=example.com; Expires=Wed, 02 Jan 2030 03:04:05 GMT; Max-Age=3600; Secure; HttpOnly; SameSite=None"],
            result.Response!.Cookies.Select(c => c.ToSetCookie()));
    }

    [Theory]
    [InlineData("""{ "bad name": "x" }""", "settings.cookies['bad name']: a cookie name is letters, digits and !#$%&'*+-.^_`|~ only")]
    [InlineData("""{ "a": "two words" }""", "settings.cookies.a: may not hold spaces, quotes, commas, semicolons, backslashes or non-ASCII characters; encode it (encodeURIComponent)")]
    [InlineData("""{ "a": { "value": "x", "sameSite": "none" } }""", "settings.cookies.a.sameSite: 'none' needs secure: true (browsers drop the cookie otherwise)")]
    [InlineData("""{ "a": { "value": "x", "expires": "next week" } }""", "settings.cookies.a.expires: must be a date and time such as 2030-01-01T00:00:00Z, not 'next week'")]
    [InlineData("""{ "a": { "value": "x", "path": "/;x" } }""", "settings.cookies.a.path: may not hold semicolons, control or non-ASCII characters")]
    [InlineData("""{ "__Host-id": { "value": "x", "secure": true } }""", "settings.cookies.__Host-id: a cookie named __Host-... needs path \"/\" and no domain")]
    [InlineData("""{ "a": { "value": "x", "sameSite": "sometimes" } }""", "settings.cookies.a.sameSite: must be one of \"strict\", \"lax\", \"none\"")]
    [InlineData("""{ "a": { "path": "/" } }""", "settings.cookies.a.value: is required")]
    [InlineData("""{ "a": 7 }""", "settings.cookies.a: must be a string or an object, not a number")]
    public void Broken_cookies_are_refused_by_validation_with_their_path(string cookies, string problem)
    {
        var problems = _engine.Validate(Reply($$"""{ "cookies": {{cookies}} }""").Build());

        Assert.Equal(["nodes[1]." + problem], problems.Select(p => p.ToString()));
    }

    [Fact]
    public async Task A_cookie_made_by_an_expression_is_checked_when_the_node_runs()
    {
        var flow = Reply("""{ "cookies": { "a": "={{ input.value }}", "b": { "value": "x", "sameSite": "={{ input.sameSite }}" } } }""");

        Assert.Empty(_engine.Validate(flow.Build()));
        var result = await _engine.RunAsync(flow, """{ "value": "a;b", "sameSite": "none" }""");

        Assert.Equal(ExecutionStatus.Failed, result.Status);
        Assert.Equal(
            "settings.cookies.a: may not hold spaces, quotes, commas, semicolons, backslashes or non-ASCII characters; encode it (encodeURIComponent); "
            + "settings.cookies.b.sameSite: 'none' needs secure: true (browsers drop the cookie otherwise)",
            result.Error!.Message);
        Assert.Equal("settings", result.Error.Type);
    }

    [Fact]
    public async Task A_base64_body_is_decoded_to_bytes_with_the_content_type_it_carries()
    {
        var result = await _engine.RunAsync(Reply("""{ "bodyEncoding": "base64", "body": "={{ input }}" }"""),
            """{ "contentType": "image/png", "base64": "AAEC/w==" }""");

        Assert.Equal(ExecutionStatus.Succeeded, result.Status);
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, result.Response!.Bytes);
        Assert.Equal("image/png", result.Response.Headers["content-type"]);
        Assert.Equal("""{"contentType":"image/png","base64":"AAEC/w=="}""", result.Response.Body.Json());
    }

    [Fact]
    public async Task Base64_text_is_sent_as_octet_stream_unless_a_content_type_header_says_otherwise()
    {
        var plain = await _engine.RunAsync(Reply("""{ "bodyEncoding": "base64", "body": "aGk=" }"""));
        var typed = await _engine.RunAsync(Reply("""{ "bodyEncoding": "base64", "headers": { "Content-Type": "text/csv" }, "body": { "contentType": "image/png", "base64": "aGk=" } }"""));

        Assert.Equal("hi"u8.ToArray(), plain.Response!.Bytes);
        Assert.Equal("application/octet-stream", plain.Response.Headers["content-type"]);
        Assert.Equal("text/csv", typed.Response!.Headers["content-type"]);
    }

    [Theory]
    [InlineData("\"not base64!\"", "settings.body: is not valid base64")]
    [InlineData("""{ "base64": "aGk=", "name": "x" }""", "settings.body: with bodyEncoding base64, must be base64 text or { \"contentType\"?: string, \"base64\": string }")]
    [InlineData("42", "settings.body: with bodyEncoding base64, must be base64 text or { \"contentType\"?: string, \"base64\": string }")]
    public async Task A_body_made_by_an_expression_that_is_not_base64_fails_the_node(string body, string message)
    {
        var result = await _engine.RunAsync(Reply("""{ "bodyEncoding": "base64", "body": "={{ input }}" }"""), body);

        Assert.Equal(ExecutionStatus.Failed, result.Status);
        Assert.Equal(message, result.Error!.Message);
        Assert.Null(result.Response);
    }

    [Theory]
    [InlineData("\"not base64!\"", "nodes[1].settings.body: is not valid base64")]
    [InlineData("""{ "base64": "aGk=", "name": "x" }""", "nodes[1].settings.body: with bodyEncoding base64, must be base64 text or { \"contentType\"?: string, \"base64\": string }")]
    [InlineData("""{ "contentType": "image/png", "base64": "={{ input }}" }""", null)]
    [InlineData("\"aGk=\"", null)]
    public void A_literal_binary_body_is_checked_by_validation(string body, string? problem)
    {
        var problems = _engine.Validate(Reply($$"""{ "bodyEncoding": "base64", "body": {{body}} }""").Build());

        Assert.Equal(problem is null ? [] : [problem], problems.Select(p => p.ToString()));
    }

    [Fact]
    public async Task Without_base64_a_body_with_the_binary_shape_stays_json()
    {
        var result = await _engine.RunAsync(Reply("""{ "body": { "contentType": "image/png", "base64": "AAEC/w==" } }"""));

        Assert.Null(result.Response!.Bytes);
        Assert.False(result.Response.Headers.ContainsKey("content-type"));
    }

    [Fact]
    public async Task The_record_keeps_cookies_with_secrets_masked()
    {
        _engine.Secrets["sid"] = "s3cr3t-value";
        var result = await _engine.RunAsync(Reply("""{ "cookies": { "sid": "<secret:sid>" } }""").Build(), new RunRequest { Secrets = _engine.Secrets });

        Assert.Equal("s3cr3t-value", result.Response!.Cookies.Single().Value);
        Assert.Equal("sid=***", result.Record.Response!.Cookies.Single().ToSetCookie());
    }
}
