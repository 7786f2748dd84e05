using System.Text.Json.Nodes;

namespace Plexus.Engine.Nodes;

public enum NodeOutcome
{
    Emit,
    Fail,
    Suspend,
    Respond,
    Return,
    Exit,
    StartLoop,
    Collect,
    Break,
    Continue,
    Jump,
}

/// <summary>What a node asks the executor to do. One value, no driving of the executor from inside a node.</summary>
public readonly struct NodeResult
{
    private NodeResult(NodeOutcome outcome, JsonNode? value, string? port = null, object? detail = null)
    {
        Outcome = outcome;
        Value = value;
        Port = port;
        Detail = detail;
    }

    public NodeOutcome Outcome { get; }

    /// <summary>The node's output: emitted on <see cref="Port"/>, collected, or the run's result.</summary>
    public JsonNode? Value { get; }

    public string? Port { get; }

    /// <summary>The outcome's extra data: <see cref="NodeFailure"/>, <see cref="WaitRequest"/>, <see cref="HttpResponseData"/>, <see cref="ExitRequest"/>, <see cref="LoopRequest"/>, <see cref="JumpRequest"/>.</summary>
    public object? Detail { get; }

    public static NodeResult Emit(JsonNode? value, string port = "out") => new(NodeOutcome.Emit, value, port);

    public static NodeResult Fail(string message, string type = "error") => new(NodeOutcome.Fail, null, detail: new NodeFailure(message, type));

    public static NodeResult Suspend(WaitRequest wait) => new(NodeOutcome.Suspend, null, detail: wait);

    /// <summary>Sends the run's HTTP response (the first one wins) and emits <paramref name="output"/> on <c>out</c>.</summary>
    public static NodeResult Respond(HttpResponseData response, JsonNode? output) => new(NodeOutcome.Respond, output, "out", response);

    /// <summary>Sets the run's result (the first one wins) and emits it on <c>out</c>.</summary>
    public static NodeResult Return(JsonNode? value) => new(NodeOutcome.Return, value, "out");

    public static NodeResult Exit(ExitRequest exit) => new(NodeOutcome.Exit, null, detail: exit);

    public static NodeResult StartLoop(LoopRequest loop) => new(NodeOutcome.StartLoop, null, detail: loop);

    public static NodeResult Collect(JsonNode? value) => new(NodeOutcome.Collect, value);

    public static NodeResult Break() => new(NodeOutcome.Break, null);

    public static NodeResult Continue() => new(NodeOutcome.Continue, null);

    public static NodeResult Jump(JumpRequest jump, JsonNode? value) => new(NodeOutcome.Jump, value, detail: jump);
}

public sealed record NodeFailure(string Message, string Type);

/// <summary>Suspends the branch: until <see cref="ResumeAt"/> (a duration wait), or until resumed with a payload.</summary>
public sealed record WaitRequest(DateTimeOffset? ResumeAt);

public sealed record ExitRequest(string Status, string? Message);

public sealed record LoopRequest(JsonArray Items, int Concurrency);

public sealed record JumpRequest(string Target, int Max);

/// <summary>An HTTP answer from <c>http.response</c>.</summary>
/// <param name="Body">A JSON body (a string is sent as text); for a binary body its <c>{ contentType, base64 }</c> form, kept for records and display.</param>
public sealed record HttpResponseData(int Status, IReadOnlyDictionary<string, string> Headers, JsonNode? Body)
{
    /// <summary>Cookies to set, in the order given.</summary>
    public IReadOnlyList<ResponseCookie> Cookies { get; init; } = [];

    /// <summary>A binary body, sent as these bytes instead of <see cref="Body"/>; null for JSON and text.</summary>
    public byte[]? Bytes { get; init; }
}
