using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Plexus.Engine.Nodes;

namespace Plexus.Engine.Execution;

/// <summary>
/// A waiting run written down: enough to resume it in another process with the same workflow version.
/// It holds live values (node outputs) that may contain secrets, so a host stores it encrypted.
/// Secret values themselves are not in it: only the names, resolved again when the run resumes.
/// </summary>
internal sealed record RunSnapshot(
    int Version,
    string ExecutionId,
    string Stage,
    string? CorrelationId,
    JsonNode? Input,
    bool UsePinned,
    bool WaitInline,
    int Start,
    JsonNode? Trigger,
    JsonNode? Result,
    bool ResultSet,
    HttpResponseData? Response,
    DateTimeOffset StartedAt,
    IReadOnlyList<string> SecretNames,
    IReadOnlyList<ScopeSnapshot> Scopes,
    IReadOnlyList<LoopSnapshot> Loops,
    IReadOnlyList<WaitSnapshot> Waits,
    IReadOnlyList<NodeRun> Records);

internal sealed record ScopeSnapshot(
    int Id,
    int? Parent,
    int? Loop,
    int Index,
    JsonNode? Item,
    Dictionary<int, JsonNode?> Outputs,
    Dictionary<int, JoinSnapshot>? Joins,
    Dictionary<int, int>? Jumps,
    int Pending,
    bool Discarded,
    bool Cancelled,
    List<JsonNode?>? Collected);

internal sealed record JoinSnapshot(int Delivered, bool ItemArrived, JsonNode?[] Values, bool[] HasValue);

internal sealed record LoopSnapshot(
    int Id,
    int Node,
    int Scope,
    JsonArray Items,
    int Concurrency,
    int Record,
    int Next,
    int Active,
    bool Broken,
    int BreakIndex,
    IReadOnlyList<int> Iterations,
    Dictionary<int, List<JsonNode?>> Collected);

internal sealed record WaitSnapshot(string Token, int Node, int Scope, JsonNode? Input, DateTimeOffset? ResumeAt, int Record);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RunSnapshot))]
internal sealed partial class RunSnapshotJsonContext : JsonSerializerContext;
