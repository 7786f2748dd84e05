using System.Text.Json.Serialization;

namespace Plexus.Engine.Workflows;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    AllowTrailingCommas = false,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Disallow,
    WriteIndented = true,
    IndentSize = 2)]
[JsonSerializable(typeof(WorkflowDocument))]
internal sealed partial class WorkflowJsonContext : JsonSerializerContext;
