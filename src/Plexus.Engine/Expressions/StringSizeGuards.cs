using System.Text;
using Jint;
using Jint.Native;
using Jint.Native.Object;
using Jint.Runtime;
using Jint.Runtime.Descriptors;
using Jint.Runtime.Interop;

namespace Plexus.Engine.Expressions;

/// <summary>
/// Replaces the built-ins that can build a huge string in one call with versions that refuse, before building it,
/// a result longer than the string size limit. Jint has no such limit: <c>'x'.repeat(4e8)</c> allocates 800 MB
/// before its memory check runs, and a join of a shared long string multiplies it.
/// </summary>
/// <remarks>
/// Concatenation with <c>+</c> and template literals needs no guard: Jint charges it to the memory limit as it
/// happens. Functions that at most multiply their input by a small factor (toUpperCase, normalize, encodeURI) are
/// left to the memory limit too.
/// </remarks>
internal sealed class StringSizeGuards
{
    /// <summary>How many elements a join handles between two checks of the time limit and cancellation.</summary>
    private const int CheckInterval = 1024;

    private readonly Jint.Engine _engine;
    private readonly int _maxLength;
    // Arrays being joined right now: a cyclic array joins as "" (as in browsers) instead of recursing forever.
    private readonly HashSet<ObjectInstance> _joining = new(ReferenceEqualityComparer.Instance);

    private StringSizeGuards(Jint.Engine engine, int maxLength)
    {
        _engine = engine;
        _maxLength = maxLength;
    }

    public static void Install(Jint.Engine engine, int maxLength)
    {
        var guards = new StringSizeGuards(engine, maxLength);
        var strings = Lookup(engine, "String.prototype");
        guards.Guard(strings, "repeat", 1, guards.Repeat);
        guards.Guard(strings, "padStart", 1, guards.Pad);
        guards.Guard(strings, "padEnd", 1, guards.Pad);
        guards.Guard(strings, "concat", 1, guards.Concat);
        guards.Guard(strings, "replace", 2, guards.Replacement);
        guards.Guard(strings, "replaceAll", 2, guards.Replacement);
        guards.Guard(Lookup(engine, "RegExp.prototype"), engine.Evaluate("Symbol.replace"), "[Symbol.replace]", 2, guards.Replacement);
        guards.Guard(Lookup(engine, "String"), "raw", 1, guards.Raw);
        var arrays = Lookup(engine, "Array.prototype");
        guards.Guard(arrays, "join", 1, guards.Join);
        guards.Guard(arrays, "toLocaleString", 0, guards.ToLocaleString);
        guards.Guard(Lookup(engine, "JSON"), "stringify", 3, guards.Stringify);
    }

    private static ObjectInstance Lookup(Jint.Engine engine, string path) => (ObjectInstance)engine.Evaluate(path);

    private delegate JsValue Guarded(JsValue original, JsValue thisObject, JsValue[] arguments);

    private void Guard(ObjectInstance target, string name, int length, Guarded body) =>
        Guard(target, name, name, length, body);

    /// <summary>Replaces the built-in method <paramref name="key"/> with <paramref name="body"/>, which receives the original.</summary>
    private void Guard(ObjectInstance target, JsValue key, string name, int length, Guarded body)
    {
        var original = target.Get(key);
        var replacement = new ClrFunction(_engine, name, (thisObject, arguments) => body(original, thisObject, arguments), length, PropertyFlag.Configurable);
        target.DefineOwnProperty(key, new PropertyDescriptor(replacement, writable: true, enumerable: false, configurable: true));
    }

    private void Ensure(double length)
    {
        if (length > _maxLength)
        {
            throw new ScriptLimitException(ScriptLimitException.StringSize);
        }
    }

    /// <summary>The spec's ToObject: throws a TypeError for null and undefined, boxes primitives.</summary>
    private ObjectInstance ToObject(JsValue value)
    {
        TypeConverter.RequireObjectCoercible(_engine, value);
        return value as ObjectInstance ?? (ObjectInstance)((JsValue)_engine.Intrinsics.Object).Call(JsValue.Undefined, [value]);
    }

    private string ThisString(JsValue thisObject)
    {
        TypeConverter.RequireObjectCoercible(_engine, thisObject);
        return TypeConverter.ToString(thisObject);
    }

    private JsValue Repeat(JsValue original, JsValue thisObject, JsValue[] arguments)
    {
        var text = ThisString(thisObject);
        var count = TypeConverter.ToIntegerOrInfinity(arguments.At(0));
        if (text.Length > 0 && count > 0)
        {
            Ensure(text.Length * count);
        }
        return original.Call(text, [JsNumber.Create(count)]);
    }

    private JsValue Pad(JsValue original, JsValue thisObject, JsValue[] arguments)
    {
        var text = ThisString(thisObject);
        var targetLength = TypeConverter.ToLength(arguments.At(0));
        var fill = arguments.At(1);
        var fillText = fill.IsUndefined() ? " " : TypeConverter.ToString(fill);
        if (targetLength > (ulong)text.Length && fillText.Length > 0)
        {
            Ensure(targetLength);
        }
        return original.Call(text, [JsNumber.Create((double)targetLength), fill.IsUndefined() ? fill : fillText]);
    }

    private JsValue Concat(JsValue original, JsValue thisObject, JsValue[] arguments)
    {
        var result = new StringBuilder(ThisString(thisObject));
        foreach (var argument in arguments)
        {
            Append(result, TypeConverter.ToString(argument));
        }
        return result.ToString();
    }

    private void Append(StringBuilder builder, string text)
    {
        Ensure((double)builder.Length + text.Length);
        builder.Append(text);
    }

    private JsValue Join(JsValue original, JsValue thisObject, JsValue[] arguments) =>
        JoinElements(thisObject, arguments.At(0), TypeConverter.ToString);

    private JsValue ToLocaleString(JsValue original, JsValue thisObject, JsValue[] arguments) =>
        JoinElements(thisObject, ",", element =>
        {
            var method = ToObject(element).Get("toLocaleString");
            return TypeConverter.ToString(method.Call(element, arguments));
        });

    private JsValue JoinElements(JsValue thisObject, JsValue separatorArgument, Func<JsValue, string> toText)
    {
        var array = ToObject(thisObject);
        if (!_joining.Add(array))
        {
            return JsString.Empty;
        }
        try
        {
            var length = TypeConverter.ToLength(array.Get("length"));
            var separator = separatorArgument.IsUndefined() ? "," : TypeConverter.ToString(separatorArgument);
            var result = new StringBuilder();
            for (ulong index = 0; index < length; index++)
            {
                if (index > 0)
                {
                    Append(result, separator);
                }
                var element = array.Get(JsNumber.Create((double)index));
                if (!element.IsNull() && !element.IsUndefined())
                {
                    Append(result, toText(element));
                }
                if (index % CheckInterval == CheckInterval - 1)
                {
                    _engine.Constraints.Check();
                }
            }
            return result.ToString();
        }
        finally
        {
            _joining.Remove(array);
        }
    }

    private JsValue Raw(JsValue original, JsValue thisObject, JsValue[] arguments)
    {
        var cooked = ToObject(arguments.At(0));
        var raw = ToObject(cooked.Get("raw"));
        var length = TypeConverter.ToLength(raw.Get("length"));
        var result = new StringBuilder();
        for (ulong index = 0; index < length; index++)
        {
            Append(result, TypeConverter.ToString(raw.Get(JsNumber.Create((double)index))));
            if (index + 1 < length && index + 1 < (ulong)arguments.Length)
            {
                Append(result, TypeConverter.ToString(arguments[(int)index + 1]));
            }
        }
        return result.ToString();
    }

    /// <summary>replace, replaceAll and RegExp.prototype[Symbol.replace]: the same call, with a budgeted replacer.</summary>
    private JsValue Replacement(JsValue original, JsValue thisObject, JsValue[] arguments) =>
        original.Call(thisObject, [arguments.At(0), new ReplacementBudget(_engine, _maxLength, arguments.At(1)).Replacer()]);

    private JsValue Stringify(JsValue original, JsValue thisObject, JsValue[] arguments)
    {
        var budget = new StringifyBudget(_engine, _maxLength, arguments.At(1), arguments.At(2));
        return original.Call(thisObject, [arguments.At(0), budget.Replacer(), arguments.At(2)]);
    }
}
