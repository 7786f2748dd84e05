using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Plexus.Engine.Execution;
using Plexus.Persistence.Model;

namespace Plexus.Server.Infrastructure.ExecutionStore;

/// <summary>
/// The stored forms of an engine record: values as JSON text (camelCase), errors as <c>{ message, type, node }</c>,
/// resume tokens only as their SHA-256.
/// </summary>
public static class ExecutionRows
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <param name="texts">
    /// JSON texts already made for this execution's values, by instance: a record shares values between places (the
    /// trigger's input is the trigger node's input and output and the next node's input), each is written out once.
    /// </param>
    public static void Fill(ExecutionRow row, ExecutionRecord record, Dictionary<JsonNode, string>? texts = null)
    {
        row.Stage = record.Stage;
        row.Status = record.Status;
        row.Trigger = Text(record.Trigger, texts);
        row.Result = Text(record.Result, texts);
        row.Error = Text(record.Error);
        row.CorrelationId = record.CorrelationId;
        row.StartedAt = record.StartedAt;
        row.EndedAt = record.EndedAt;
    }

    public static NodeRunRow NodeRun(Guid organizationId, Guid executionId, NodeRunRecord node, Dictionary<JsonNode, string>? texts = null) => new()
    {
        OrganizationId = organizationId,
        ExecutionId = executionId,
        Sequence = node.Sequence,
        NodeId = node.NodeId,
        Type = node.Type,
        Status = node.Status,
        Attempts = node.Attempts,
        StartedAt = node.StartedAt,
        EndedAt = node.EndedAt,
        DurationMs = node.DurationMs,
        Input = Text(node.Input, texts),
        InputTruncated = node.InputTruncated,
        Output = Text(node.Output, texts),
        OutputTruncated = node.OutputTruncated,
        Error = Text(node.Error),
        Port = node.Port,
        Scope = node.Scope,
        Pinned = node.Pinned,
        Logs = node.Logs is null ? null : JsonSerializer.Serialize(node.Logs, Json),
        ResumeTokenHash = node.ResumeToken is null ? null : Hashes.Sha256(node.ResumeToken),
    };

    public static string? Text(JsonNode? value) => value?.ToJsonString(Json);

    /// <summary>The value's JSON text, made once per instance in <paramref name="texts"/>.</summary>
    public static string? Text(JsonNode? value, Dictionary<JsonNode, string>? texts)
    {
        if (value is null || texts is null)
        {
            return Text(value);
        }

        if (!texts.TryGetValue(value, out var text))
        {
            text = value.ToJsonString(Json);
            texts[value] = text;
        }

        return text;
    }

    /// <summary>An empty cache for <see cref="Text(JsonNode?, Dictionary{JsonNode, string}?)"/>: by instance, never by value.</summary>
    public static Dictionary<JsonNode, string> NewTexts() => new(ReferenceEqualityComparer.Instance);

    public static string? Text(ExecutionError? error) => error is null ? null : JsonSerializer.Serialize(error, Json);

    /// <summary>Reads a stored error back.</summary>
    public static ExecutionError? Error(string? text) => text is null ? null : JsonSerializer.Deserialize<ExecutionError>(text, Json);
}
