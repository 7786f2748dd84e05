using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.DataProtection;

namespace Plexus.Server.Features.Queue;

/// <summary>
/// What a queued item carries for the worker that claims it, stored protected (it holds request data). A start names
/// the version to run (or carries the exact draft document); a resume names the wait and its payload.
/// </summary>
public sealed record QueuedWork
{
    public const string StartKind = "start";
    public const string ResumeKind = "resume";

    /// <summary>
    /// An item whose run was cancelled while another replica held it: whoever claims it next (its holder died before
    /// hearing the request, or gave it back) records the run cancelled instead of running it again.
    /// </summary>
    public const string CancelKind = "cancel";

    public string Stage { get; init; } = "dev";

    /// <summary>The version to run; null for a draft run, whose exact document is <see cref="Document"/>.</summary>
    public int? Version { get; init; }

    /// <summary>The workflow document for a draft run (the draft may change before a worker takes it).</summary>
    public string? Document { get; init; }

    public int DraftRevision { get; init; }
    public string? TriggerNodeId { get; init; }
    public JsonNode? Input { get; init; }
    public string? CorrelationId { get; init; }
    public bool UsePinned { get; init; }
    public string? FromNode { get; init; }
    public JsonObject? KnownOutputs { get; init; }

    /// <summary>Whether a start's events go to the live-events hub (a resumption's always do).</summary>
    public bool Live { get; init; }

    /// <summary>1 for a first run; more for the workflow retry policy's further attempts.</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>For a retry: the first attempt's execution.</summary>
    public Guid? RetryOf { get; init; }

    /// <summary>For a resume: the waiting node's id or the wait's token.</summary>
    public string? Resume { get; init; }

    /// <summary>For a resume: what becomes the waiting node's output.</summary>
    public JsonNode? ResumePayload { get; init; }
}

/// <summary>Protects and reads <see cref="QueuedWork"/> payloads; the key ring is shared by every replica.</summary>
public sealed class QueuedWorkCodec(IDataProtectionProvider protection)
{
    public const string Purpose = "plexus.queue.payload";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly IDataProtector _protector = protection.CreateProtector(Purpose);

    public string Write(QueuedWork work) => _protector.Protect(JsonSerializer.Serialize(work, Json));

    /// <summary>The payload, or null when it cannot be read (another key ring, a damaged row).</summary>
    public QueuedWork? Read(string payload)
    {
        try
        {
            return JsonSerializer.Deserialize<QueuedWork>(_protector.Unprotect(payload), Json);
        }
        catch (Exception exception) when (exception is System.Security.Cryptography.CryptographicException or JsonException or FormatException)
        {
            return null;
        }
    }
}
