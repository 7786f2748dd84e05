using System.Text.Json;
using System.Text.Json.Nodes;
using Plexus.Engine.Execution;

namespace Plexus.Server.Infrastructure.ExecutionStore;

/// <summary>
/// What a workflow's executions leave behind (<c>Workflow.SavePolicy</c>): <c>all</c>, <c>errors</c> (only failed
/// executions are kept) or <c>none</c>. A waiting run is stored whatever the policy, since its saved state is what
/// lets it resume; when it ends, the policy decides whether its row stays.
/// </summary>
public static class SavePolicy
{
    public const string All = "all";
    public const string Errors = "errors";
    public const string None = "none";

    public static bool IsKnown(string? policy) => policy is All or Errors or None;

    /// <summary>The override for <paramref name="stage"/> in a workflow's <c>StageSavePolicies</c> JSON, or null.</summary>
    public static string? ForStage(string? stagePolicies, string stage)
    {
        if (string.IsNullOrEmpty(stagePolicies))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(stagePolicies) is JsonObject map && map[stage] is JsonValue value && value.TryGetValue<string>(out var policy)
                ? policy
                : null;
        }
        catch (JsonException)
        {
            return null; // only ever written by the API, which writes valid JSON
        }
    }

    /// <summary>Whether a running execution is written as it starts (so that it can be listed while it runs).</summary>
    public static bool RecordsStart(string policy) => policy == All;

    /// <summary>Whether an execution that came to <paramref name="status"/> is kept.</summary>
    public static bool Keeps(string policy, string status) => status switch
    {
        ExecutionStatus.Waiting => true,
        ExecutionStatus.Failed => policy is All or Errors,
        _ => policy == All,
    };
}
