namespace Plexus.Engine.Expressions;

/// <summary>One piece of a template: literal text, or the JavaScript source between <c>{{</c> and <c>}}</c>.</summary>
internal readonly record struct TemplatePart(string Text, bool IsExpression);

/// <summary>Splits <c>"text {{ js }} text"</c> into parts.</summary>
/// <remarks>
/// The end of an expression is the first <c>}}</c> outside JavaScript strings, comments and braces, so that
/// <c>{{ {a: {b: 1}} }}</c> and <c>{{ "}}" }}</c> work. A <c>{{</c> that is never closed stays literal text.
/// </remarks>
internal static class TemplateParser
{
    public static List<TemplatePart> Parse(string text)
    {
        var parts = new List<TemplatePart>();
        var position = 0;
        while (position < text.Length)
        {
            var open = text.IndexOf("{{", position, StringComparison.Ordinal);
            if (open < 0)
            {
                break;
            }
            var start = open + 2;
            var end = FindEnd(text, start);
            if (end < 0)
            {
                break;
            }
            if (open > position)
            {
                parts.Add(new TemplatePart(text[position..open], IsExpression: false));
            }
            parts.Add(new TemplatePart(text[start..end], IsExpression: true));
            position = end + 2;
        }
        if (position < text.Length)
        {
            parts.Add(new TemplatePart(text[position..], IsExpression: false));
        }
        return parts;
    }

    private static int FindEnd(string text, int start)
    {
        var end = ScanCode(text, start, nested: false);
        // An unterminated string or comment: take the first "}}" so that the parser reports the real problem.
        return end >= 0 ? end : text.IndexOf("}}", start, StringComparison.Ordinal);
    }

    /// <summary>
    /// Index of the <c>}}</c> that ends the expression (or, when <paramref name="nested"/>, of the <c>}</c> that
    /// ends a <c>${...}</c> substitution), or -1.
    /// </summary>
    private static int ScanCode(string text, int i, bool nested)
    {
        var depth = 0;
        while (i >= 0 && i < text.Length)
        {
            var c = text[i];
            var next = i + 1 < text.Length ? text[i + 1] : '\0';
            switch (c)
            {
                case '\'' or '"':
                    i = SkipString(text, i);
                    break;
                case '`':
                    i = SkipTemplateLiteral(text, i);
                    break;
                case '/' when next == '/':
                    var lineEnd = text.IndexOf('\n', i);
                    i = lineEnd < 0 ? -1 : lineEnd + 1;
                    break;
                case '/' when next == '*':
                    var commentEnd = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                    i = commentEnd < 0 ? -1 : commentEnd + 2;
                    break;
                case '{':
                    depth++;
                    i++;
                    break;
                case '}' when depth > 0:
                    depth--;
                    i++;
                    break;
                case '}' when nested || next == '}':
                    return i;
                default:
                    i++;
                    break;
            }
        }
        return -1;
    }

    /// <summary>Index just after the closing quote, or -1.</summary>
    private static int SkipString(string text, int i)
    {
        var quote = text[i];
        for (i++; i < text.Length; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == quote)
            {
                return i + 1;
            }
        }
        return -1;
    }

    /// <summary>Index just after the closing backtick, or -1.</summary>
    private static int SkipTemplateLiteral(string text, int i)
    {
        for (i++; i >= 0 && i < text.Length; i++)
        {
            switch (text[i])
            {
                case '\\':
                    i++;
                    break;
                case '`':
                    return i + 1;
                case '$' when i + 1 < text.Length && text[i + 1] == '{':
                    i = ScanCode(text, i + 2, nested: true);
                    break;
            }
        }
        return -1;
    }
}
