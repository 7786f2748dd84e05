using Jint;
using Jint.Native;
using Jint.Native.Object;
using Jint.Runtime;
using Jint.Runtime.Descriptors;
using Jint.Runtime.Interop;

namespace Plexus.Engine.Expressions;

/// <summary>
/// Rides along one <c>JSON.stringify</c> call as its replacer, adds up the size of what will be written, and
/// refuses the call once the text would pass the string size limit. Without it, an array holding the same long
/// string many times serializes to gigabytes before anything can stop it.
/// </summary>
/// <remarks>
/// A replacer function the script passed is called from here, with the same arguments. An array of keys is
/// applied here as a filter, so the keys come out in the object's own order rather than in the array's order.
/// The count is an estimate that never undercounts what matters: numbers count 24 characters, escapes are not counted.
/// </remarks>
internal sealed class StringifyBudget
{
    private const int MaxIndent = 10;
    private const int NumberSize = 24;

    private readonly Jint.Engine _engine;
    private readonly int _maxLength;
    private readonly JsValue _function;
    private readonly HashSet<string>? _keys;
    private readonly int _indent;
    // The objects being serialized, outermost first: a call whose holder is deeper in this list is one level below it.
    private readonly List<ObjectInstance> _path = [];
    private bool _started;
    private double _size;

    public StringifyBudget(Jint.Engine engine, int maxLength, JsValue replacer, JsValue space)
    {
        _engine = engine;
        _maxLength = maxLength;
        _function = replacer.IsCallable() ? replacer : JsValue.Undefined;
        _keys = replacer.IsArray() ? KeysOf((ObjectInstance)replacer) : null;
        _indent = IndentOf(space);
    }

    public JsValue Replacer() => new ClrFunction(_engine, "replacer", Visit, 2, PropertyFlag.Configurable);

    private static HashSet<string> KeysOf(ObjectInstance list)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var length = TypeConverter.ToLength(list.Get("length"));
        for (ulong i = 0; i < length; i++)
        {
            var item = list.Get(JsNumber.Create((double)i));
            if (item.IsString() || item.IsNumber())
            {
                keys.Add(TypeConverter.ToString(item));
            }
        }
        return keys;
    }

    private static int IndentOf(JsValue space)
    {
        if (space.IsNumber())
        {
            return (int)Math.Clamp(TypeConverter.ToIntegerOrInfinity(space), 0, MaxIndent);
        }
        if (space.IsString())
        {
            return Math.Min(MaxIndent, space.AsString().Length);
        }
        // Number and String objects: count the widest indent rather than unwrap them twice.
        return space.IsObject() ? MaxIndent : 0;
    }

    private JsValue Visit(JsValue thisObject, JsValue[] arguments)
    {
        var holder = thisObject as ObjectInstance;
        var key = arguments.At(0);
        var value = arguments.At(1);
        var isRoot = !_started;
        _started = true;
        while (_path.Count > 0 && !ReferenceEquals(_path[^1], holder))
        {
            _path.RemoveAt(_path.Count - 1);
        }
        if (!isRoot && _keys is not null && holder is not null && !holder.IsArray() && !_keys.Contains(TypeConverter.ToString(key)))
        {
            return JsValue.Undefined;
        }
        if (_function.IsCallable())
        {
            value = _function.Call(holder ?? JsValue.Undefined, [key, value]);
        }
        if (IsStringObject(value))
        {
            // The serializer would unwrap it the same way; unwrapping here lets its length be counted.
            value = TypeConverter.ToString(value);
        }
        var lineStart = _indent > 0 ? 1 + (_indent * _path.Count) : 0;
        _size += TypeConverter.ToString(key).Length + 3 + lineStart + SizeOf(value, lineStart);
        if (_size > _maxLength)
        {
            throw new ScriptLimitException(ScriptLimitException.StringSize);
        }
        if (value is ObjectInstance nested && !value.IsCallable())
        {
            _path.Add(nested);
        }
        return value;
    }

    private static double SizeOf(JsValue value, int lineStart) => value switch
    {
        JsString text => text.Length + 2,
        JsNumber => NumberSize,
        JsBoolean => 5,
        JsNull => 4,
        ObjectInstance raw when IsRawJson(raw) => TypeConverter.ToString(raw.Get("rawJSON")).Length,
        ObjectInstance when !value.IsCallable() => 2 + lineStart,
        _ => 0,
    };

    // Jint does not expose these two types; their names are the only handle on them.
    private static bool IsStringObject(JsValue value) => value.GetType().Name == "StringInstance";

    private static bool IsRawJson(ObjectInstance value) => value.GetType().Name == "JsRawJson";
}
