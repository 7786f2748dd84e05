using System.Text;
using Jint;
using Jint.Native;
using Jint.Native.Object;
using Jint.Runtime;
using Jint.Runtime.Descriptors;
using Jint.Runtime.Interop;

namespace Plexus.Engine.Expressions;

/// <summary>
/// Stands in for the replacement of one <c>replace</c>/<c>replaceAll</c> call and refuses the call once the
/// replacements would make the result longer than the string size limit.
/// </summary>
/// <remarks>
/// A replacement string is expanded here, with the patterns of the spec's GetSubstitution (<c>$$ $&amp; $` $' $n $nn $&lt;name&gt;</c>),
/// so that its size is known before it is built: <c>"$'"</c> alone can turn every match into a copy of the rest of the subject.
/// </remarks>
internal sealed class ReplacementBudget
{
    private readonly Jint.Engine _engine;
    private readonly int _maxLength;
    private readonly JsValue _function;
    private readonly string? _template;
    private double _added;

    public ReplacementBudget(Jint.Engine engine, int maxLength, JsValue replaceValue)
    {
        _engine = engine;
        _maxLength = maxLength;
        _function = replaceValue.IsCallable() ? replaceValue : JsValue.Undefined;
        _template = replaceValue.IsCallable() ? null : TypeConverter.ToString(replaceValue);
    }

    public JsValue Replacer() => new ClrFunction(_engine, "replacer", Replace, 0, PropertyFlag.Configurable);

    // Called with (matched, capture1, ..., captureN, position, subject[, groups]).
    private JsValue Replace(JsValue thisObject, JsValue[] arguments)
    {
        var subjectIndex = arguments[^1].IsString() ? arguments.Length - 1 : arguments.Length - 2;
        var subject = TypeConverter.ToString(arguments[subjectIndex]);
        string replacement;
        if (_template is null)
        {
            replacement = TypeConverter.ToString(_function.Call(JsValue.Undefined, arguments));
        }
        else
        {
            var match = new Match(
                TypeConverter.ToString(arguments[0]),
                subject,
                (int)TypeConverter.ToIntegerOrInfinity(arguments[subjectIndex - 1]),
                arguments[1..(subjectIndex - 1)],
                subjectIndex == arguments.Length - 1 ? JsValue.Undefined : arguments[^1]);
            replacement = Substitute(_template, match);
        }
        _added += replacement.Length;
        Ensure(0);
        return replacement;
    }

    private void Ensure(double pending)
    {
        // The subject is at most the limit already; what the replacements add decides.
        if (_added + pending > _maxLength)
        {
            throw new ScriptLimitException(ScriptLimitException.StringSize);
        }
    }

    private readonly record struct Match(string Matched, string Subject, int Position, JsValue[] Captures, JsValue Groups);

    private string Substitute(string template, Match match)
    {
        if (!template.Contains('$', StringComparison.Ordinal))
        {
            return template;
        }
        var result = new StringBuilder();
        for (var i = 0; i < template.Length; i++)
        {
            var next = i + 1 < template.Length ? template[i + 1] : '\0';
            if (template[i] != '$' || next == '\0')
            {
                Append(result, template[i].ToString());
                continue;
            }
            switch (next)
            {
                case '$':
                    Append(result, "$");
                    i++;
                    break;
                case '&':
                    Append(result, match.Matched);
                    i++;
                    break;
                case '`':
                    Append(result, match.Subject[..Math.Min(match.Position, match.Subject.Length)]);
                    i++;
                    break;
                case '\'':
                    Append(result, match.Subject[Math.Min(match.Position + match.Matched.Length, match.Subject.Length)..]);
                    i++;
                    break;
                case >= '0' and <= '9':
                    i += AppendCapture(result, template, i, match.Captures);
                    break;
                case '<':
                    i += AppendNamedCapture(result, template, i, match.Groups);
                    break;
                default:
                    Append(result, "$");
                    break;
            }
        }
        return result.ToString();
    }

    /// <summary>Appends <c>$n</c> or <c>$nn</c> (two digits win when they name a capture); returns the characters consumed after '$'.</summary>
    private int AppendCapture(StringBuilder result, string template, int dollar, JsValue[] captures)
    {
        var one = template[dollar + 1] - '0';
        if (dollar + 2 < template.Length && char.IsAsciiDigit(template[dollar + 2]))
        {
            var two = (one * 10) + (template[dollar + 2] - '0');
            if (two >= 1 && two <= captures.Length)
            {
                AppendValue(result, captures[two - 1]);
                return 2;
            }
        }
        if (one >= 1 && one <= captures.Length)
        {
            AppendValue(result, captures[one - 1]);
            return 1;
        }
        Append(result, "$");
        return 0;
    }

    /// <summary>Appends <c>$&lt;name&gt;</c>; returns the characters consumed after '$'.</summary>
    private int AppendNamedCapture(StringBuilder result, string template, int dollar, JsValue groups)
    {
        var close = groups.IsUndefined() ? -1 : template.IndexOf('>', dollar + 2);
        if (close < 0)
        {
            Append(result, "$");
            return 0;
        }
        var name = template[(dollar + 2)..close];
        AppendValue(result, ((ObjectInstance)groups).Get(name));
        return close - dollar;
    }

    private void AppendValue(StringBuilder result, JsValue capture)
    {
        if (!capture.IsUndefined())
        {
            Append(result, TypeConverter.ToString(capture));
        }
    }

    private void Append(StringBuilder result, string text)
    {
        Ensure((double)result.Length + text.Length);
        result.Append(text);
    }
}
