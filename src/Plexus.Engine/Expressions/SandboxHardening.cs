using Jint;
using Jint.Native;
using Jint.Native.Object;
using Jint.Runtime;

namespace Plexus.Engine.Expressions;

/// <summary>
/// Makes an engine safe to share between runs: removes globals that keep state or escape the limits, then freezes
/// the global object and every object reachable from it, so that no run can leave anything behind for the next
/// (<c>globalThis.x = 1</c>, <c>Object.prototype.polluted = 1</c>, <c>Array.prototype.map = null</c> all throw).
/// </summary>
internal static class SandboxHardening
{
    private static readonly string[] RemovedGlobals =
    [
        // Callbacks that could run during a later run.
        "WeakRef", "FinalizationRegistry",
        // A fresh realm has unfrozen, unguarded built-ins.
        "ShadowRealm",
        // Binary buffers are allocated in one piece before any limit is checked (new ArrayBuffer(1e9)), and
        // Atomics.wait blocks the thread; settings and outputs are JSON, which has no use for them.
        "ArrayBuffer", "SharedArrayBuffer", "DataView", "Atomics", "TypedArray",
        "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array",
        "Float16Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array",
        // One BigInt operation can run for minutes between two limit checks (BigInt literals are refused at compile time).
        "BigInt",
        // String compilation is disabled anyway.
        "eval",
    ];

    // RegExp.$1 and friends hold the last match of whichever run used a regex last.
    private static readonly string[] RegExpLegacyStatics =
    [
        "input", "$_", "lastMatch", "$&", "lastParen", "$+", "leftContext", "$`", "rightContext", "$'",
        "$1", "$2", "$3", "$4", "$5", "$6", "$7", "$8", "$9",
    ];

    // Built-in objects that no global property leads to.
    private const string HiddenRoots = """
        (() => {
          const roots = [];
          const add = (find) => { try { roots.push(find()); } catch { } };
          add(() => Object.getPrototypeOf(function* () { }));
          add(() => Object.getPrototypeOf(async function () { }));
          add(() => Object.getPrototypeOf(async function* () { }));
          add(() => Object.getPrototypeOf([][Symbol.iterator]()));
          add(() => Object.getPrototypeOf(''[Symbol.iterator]()));
          add(() => Object.getPrototypeOf(new Map()[Symbol.iterator]()));
          add(() => Object.getPrototypeOf(new Set()[Symbol.iterator]()));
          add(() => Object.getPrototypeOf(/a/[Symbol.matchAll]('')));
          add(() => Object.getPrototypeOf([].values().map((x) => x)));
          add(() => Object.getPrototypeOf(Iterator.from({ next() { return { done: true }; } })));
          add(() => Object.getPrototypeOf(new Intl.Segmenter().segment('')));
          add(() => Object.getPrototypeOf(new Intl.Segmenter().segment('')[Symbol.iterator]()));
          return roots;
        })()
        """;

    // Freezing a prototype turns "obj.toString = f" and "this.name = 'MyError'" into TypeErrors, because the
    // inherited property is read-only (the "override mistake"). For the properties that code commonly assigns,
    // an accessor stands in: reading gives the built-in value, assigning defines an own property on the object.
    private const string OverridableProperties = """
        ((defineProperty) => {
          const errors = [Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError, AggregateError];
          const overridable = [
            [Object.prototype, ['constructor', 'toString', 'toLocaleString', 'valueOf']],
            ...errors.map((error) => [error.prototype, ['name', 'message']]),
          ];
          for (const [target, names] of overridable) {
            for (const name of names) {
              const value = target[name];
              defineProperty(target, name, {
                get() { return value; },
                set(replacement) {
                  if (this === target) {
                    throw new TypeError(`Cannot assign to read only property '${name}'`);
                  }
                  defineProperty(this, name, { value: replacement, writable: true, enumerable: true, configurable: true });
                },
                enumerable: false,
                configurable: false,
              });
            }
          }
        })(Object.defineProperty)
        """;

    public static void Apply(Jint.Engine engine)
    {
        var global = engine.Global;
        foreach (var name in RemovedGlobals)
        {
            global.Delete(name);
        }
        var regExp = (ObjectInstance)global.Get("RegExp");
        foreach (var name in RegExpLegacyStatics)
        {
            regExp.Delete(name);
        }
        // Formats a list into one string, like a join that the size guards do not cover.
        ((ObjectInstance)global.Get("Intl")).Delete("ListFormat");
        engine.Evaluate(OverridableProperties);

        var roots = (ObjectInstance)engine.Evaluate(HiddenRoots);
        var pending = new Stack<ObjectInstance>([global]);
        var length = TypeConverter.ToLength(roots.Get("length"));
        for (ulong i = 0; i < length; i++)
        {
            if (roots.Get(JsNumber.Create((double)i)) is ObjectInstance root)
            {
                pending.Push(root);
            }
        }
        FreezeAll(engine, pending);
    }

    private static void FreezeAll(Jint.Engine engine, Stack<ObjectInstance> pending)
    {
        var freeze = ((ObjectInstance)engine.Global.Get("Object")).Get("freeze");
        var seen = new HashSet<ObjectInstance>(ReferenceEqualityComparer.Instance);
        while (pending.TryPop(out var target))
        {
            if (!seen.Add(target))
            {
                continue;
            }
            foreach (var key in target.GetOwnPropertyKeys(Types.String | Types.Symbol))
            {
                var descriptor = target.GetOwnProperty(key);
                PushObject(pending, descriptor.IsAccessorDescriptor() ? descriptor.Get : descriptor.Value);
                PushObject(pending, descriptor.IsAccessorDescriptor() ? descriptor.Set : null);
            }
            PushObject(pending, target.Prototype);
            freeze.Call(JsValue.Undefined, [target]);
        }
    }

    private static void PushObject(Stack<ObjectInstance> pending, JsValue? value)
    {
        if (value is ObjectInstance obj)
        {
            pending.Push(obj);
        }
    }
}
