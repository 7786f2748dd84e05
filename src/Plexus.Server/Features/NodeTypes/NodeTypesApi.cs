using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Plexus.Engine.Nodes;

namespace Plexus.Server.Features.NodeTypes;

/// <summary>The node catalog with settings schemas, for the editor's palette and settings forms.</summary>
public static class NodeTypesApi
{
    public static IEndpointRouteBuilder MapNodeTypesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/node-types").WithTags("Node types").AllowAnonymous();
        group.MapGet("/", List).WithName("ListNodeTypes").WithSummary("Every node type with its ports and settings schema");
        group.MapGet("/{type}", Get).WithName("GetNodeType").WithSummary("One node type")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static Ok<NodeTypeList> List(NodeCatalog catalog) => TypedResults.Ok(new NodeTypeList([.. catalog.All.Select(Describe)]));

    private static Results<Ok<NodeTypeDescription>, ProblemHttpResult> Get(string type, NodeCatalog catalog) =>
        catalog.TryGet(type, out var nodeType) ? TypedResults.Ok(Describe(nodeType)) : Infrastructure.Problems.NotFound($"node type '{type}'");

    private static NodeTypeDescription Describe(NodeType type)
    {
        var info = type.Info;
        return new NodeTypeDescription(info.Type, info.Version, info.Category, info.Title, info.Description, info.Icon,
            info.Inputs, info.Outputs, info.OutputsFor is not null, info.IsTrigger, info.SingleInstance, info.JoinsInputs,
            info.SettingsSchema.DeepClone().AsObject(), [.. info.RawSettings.Order(StringComparer.Ordinal)]);
    }
}

public sealed record NodeTypeList(IReadOnlyList<NodeTypeDescription> Items);

/// <summary>A node type as the editor sees it. <c>dynamicOutputs</c>: the output ports also depend on the settings (e.g. switch cases).</summary>
public sealed record NodeTypeDescription(
    string Type,
    int Version,
    string Category,
    string Title,
    string Description,
    string Icon,
    IReadOnlyList<string> Inputs,
    IReadOnlyList<string> Outputs,
    bool DynamicOutputs,
    bool IsTrigger,
    bool SingleInstance,
    bool JoinsInputs,
    JsonObject SettingsSchema,
    IReadOnlyList<string> RawSettings);
