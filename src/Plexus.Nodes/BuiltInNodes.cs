using Plexus.Engine.Nodes;
using Plexus.Nodes.Code;
using Plexus.Nodes.Data;
using Plexus.Nodes.Flow;
using Plexus.Nodes.Http;
using Plexus.Nodes.Triggers;

namespace Plexus.Nodes;

/// <summary>The node types that ship with Plexus.</summary>
public static class BuiltInNodes
{
    public static IReadOnlyList<NodeType> All() =>
    [
        new ManualTrigger(), new HttpTrigger(), new ScheduleCron(), new HttpResponse(), new HttpRequest(),
        new SetData(), new JavaScriptCode(),
        new If(), new Switch(), new Merge(), new Loop(), new LoopEnd(), new Break(), new Continue(), new Jump(),
        new Call(), new Wait(), new Exit(), new Fail(), new Return(),
    ];

    public static NodeCatalog Catalog(params NodeType[] extra) => new([.. All(), .. extra]);
}
