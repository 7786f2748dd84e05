using Jint;
using Jint.Native;
using Jint.Native.Object;
using Jint.Runtime;
using Jint.Runtime.Descriptors;
using Plexus.Engine.Json;

namespace Plexus.Engine.Expressions;

/// <summary>
/// The <c>nodes</c> object: <c>nodes.X</c> is <c>{ output }</c> of node X, looked up and converted only when read,
/// so that a run never pays for the outputs it does not use. Read-only.
/// </summary>
/// <remarks>Its prototype stays Object.prototype: Jint 4.18 fails with a NullReferenceException reading a host object without one.</remarks>
internal sealed class NodeOutputsObject : ObjectInstance
{
    private readonly INodeOutputs? _outputs;
    private readonly Dictionary<string, PropertyDescriptor> _read = new(StringComparer.Ordinal);

    public NodeOutputsObject(Jint.Engine engine, INodeOutputs? outputs) : base(engine)
    {
        _outputs = outputs;
    }

    public override PropertyDescriptor GetOwnProperty(JsValue property)
    {
        if (!property.IsString())
        {
            return PropertyDescriptor.Undefined;
        }
        var id = property.AsString();
        if (_read.TryGetValue(id, out var known))
        {
            return known;
        }
        var descriptor = PropertyDescriptor.Undefined;
        if (_outputs is not null && _outputs.TryGetOutput(id, out var output))
        {
            var node = new JsObject(Engine);
            node.FastSetDataProperty("output", JsonToJs.Convert(Engine, output));
            descriptor = new PropertyDescriptor(node, writable: false, enumerable: true, configurable: false);
        }
        // Misses are remembered too: the engine asks more than once for a name that is not there.
        _read[id] = descriptor;
        return descriptor;
    }

    public override List<JsValue> GetOwnPropertyKeys(Types types = Types.String | Types.Symbol)
    {
        var keys = new List<JsValue>();
        if ((types & Types.String) != 0)
        {
            keys.AddRange(_read.Where(entry => entry.Value != PropertyDescriptor.Undefined).Select(entry => (JsValue)entry.Key));
        }
        return keys;
    }

    public override bool DefineOwnProperty(JsValue property, PropertyDescriptor desc) => false;

    public override bool Delete(JsValue property) => GetOwnProperty(property) == PropertyDescriptor.Undefined;
}
