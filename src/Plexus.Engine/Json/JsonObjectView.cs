using System.Text.Json.Nodes;
using Jint.Native.Object;

namespace Plexus.Engine.Json;

/// <summary>
/// A JavaScript object for a JSON object whose properties are converted on first use. Jint calls
/// <see cref="Initialize"/> before any property operation, so the object behaves as an ordinary one, while a
/// script reading <c>trigger.params.id</c> never pays for converting <c>trigger.body</c>.
/// </summary>
internal sealed class JsonObjectView(Jint.Engine engine, JsonObject source) : ObjectInstance(engine)
{
    protected override void Initialize()
    {
        foreach (var (name, child) in source)
        {
            FastSetDataProperty(name, JsonToJs.Convert(Engine, child));
        }
    }
}
