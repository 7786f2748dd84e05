using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Plexus.Engine.Json;
using Plexus.Engine.Workflows;

namespace Plexus.Engine.Validation;

/// <summary>
/// Checks a value against the subset of JSON Schema that node settings use: <c>type</c>, <c>properties</c>,
/// <c>required</c>, <c>additionalProperties</c>, <c>enum</c>, <c>minimum</c>/<c>maximum</c>, <c>minLength</c>,
/// <c>items</c>, <c>minItems</c>, <c>anyOf</c>. A string holding an expression or template stands for any type:
/// its value is known only when it runs.
/// </summary>
public static class SchemaCheck
{
    /// <param name="rawProperties">Top-level properties that are never evaluated, so an expression there is just text.</param>
    public static void Check(JsonNode? value, JsonObject schema, string path, bool expressionsAllowed, List<Problem> problems,
        IReadOnlySet<string>? rawProperties = null)
    {
        if (expressionsAllowed && IsDynamic(value))
        {
            return;
        }

        if (schema["anyOf"] is JsonArray anyOf)
        {
            var matched = anyOf.OfType<JsonObject>().Any(option =>
            {
                var attempt = new List<Problem>();
                Check(value, option, path, expressionsAllowed, attempt);
                return attempt.Count == 0;
            });
            if (!matched)
            {
                problems.Add(new Problem(path, schema["description"] is JsonValue d ? $"must be {d}" : "does not match any allowed form"));
            }

            return;
        }

        if (schema["type"] is { } type && !MatchesType(value, type))
        {
            problems.Add(new Problem(path, $"must be {Describe(type)}, not {KindOf(value)}"));
            return;
        }

        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, value)))
        {
            problems.Add(new Problem(path, $"must be one of {string.Join(", ", allowed.Select(a => a?.ToJsonString() ?? "null"))}"));
            return;
        }

        switch (value)
        {
            case JsonObject obj:
                CheckObject(obj, schema, path, expressionsAllowed, problems, rawProperties);
                break;
            case JsonArray array:
                CheckArray(array, schema, path, expressionsAllowed, problems);
                break;
            case JsonValue scalar:
                CheckScalar(scalar, schema, path, problems);
                break;
        }
    }

    /// <summary>True for strings whose value is computed when the node runs.</summary>
    public static bool IsDynamic(JsonNode? value) =>
        value is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() is var s
        && (s.StartsWith('=') || s.Contains("{{", StringComparison.Ordinal));

    private static void CheckObject(JsonObject obj, JsonObject schema, string path, bool expressionsAllowed, List<Problem> problems,
        IReadOnlySet<string>? rawProperties)
    {
        var properties = schema["properties"] as JsonObject;
        if (schema["required"] is JsonArray required)
        {
            foreach (var name in required.Select(r => r?.GetValue<string>()).OfType<string>())
            {
                if (!obj.ContainsKey(name))
                {
                    problems.Add(new Problem(JsonPaths.Child(path, name), "is required"));
                }
            }
        }

        foreach (var (name, child) in obj)
        {
            var childPath = JsonPaths.Child(path, name);
            if (properties?[name] is JsonObject childSchema)
            {
                Check(child, childSchema, childPath, expressionsAllowed && rawProperties?.Contains(name) != true, problems);
            }
            else if (schema["additionalProperties"] is JsonObject additional)
            {
                Check(child, additional, childPath, expressionsAllowed, problems);
            }
            else if (schema["additionalProperties"] is JsonValue allow && allow.GetValueKind() == JsonValueKind.False)
            {
                var known = properties is null ? "" : $"; known: {string.Join(", ", properties.Select(p => p.Key))}";
                problems.Add(new Problem(childPath, $"unknown setting '{name}'{known}"));
            }
        }
    }

    private static void CheckArray(JsonArray array, JsonObject schema, string path, bool expressionsAllowed, List<Problem> problems)
    {
        if (schema["minItems"] is JsonValue min && array.Count < (int)JsonValues.ToDouble(min))
        {
            problems.Add(new Problem(path, $"must have at least {(int)JsonValues.ToDouble(min)} item(s)"));
        }

        if (schema["items"] is JsonObject itemSchema)
        {
            for (var i = 0; i < array.Count; i++)
            {
                Check(array[i], itemSchema, JsonPaths.Index(path, i), expressionsAllowed, problems);
            }
        }
    }

    private static void CheckScalar(JsonValue value, JsonObject schema, string path, List<Problem> problems)
    {
        switch (value.GetValueKind())
        {
            case JsonValueKind.Number:
                var number = JsonValues.ToDouble(value);
                var minimum = (schema["minimum"] as JsonValue) is { } lo0 ? JsonValues.ToDouble(lo0) : (double?)null;
                var maximum = (schema["maximum"] as JsonValue) is { } hi0 ? JsonValues.ToDouble(hi0) : (double?)null;
                if ((minimum is { } lo && number < lo) || (maximum is { } hi && number > hi))
                {
                    problems.Add(new Problem(path, $"must be {Format(minimum)}..{Format(maximum)}"));
                }

                break;
            case JsonValueKind.String:
                if (schema["minLength"] is JsonValue minLength && value.GetValue<string>().Length < (int)JsonValues.ToDouble(minLength))
                {
                    problems.Add(new Problem(path, (int)JsonValues.ToDouble(minLength) == 1 ? "must not be empty" : $"must have at least {minLength} characters"));
                }

                break;
        }
    }

    private static string Format(double? bound) => bound?.ToString(CultureInfo.InvariantCulture) ?? "";

    private static bool MatchesType(JsonNode? value, JsonNode type) => type switch
    {
        JsonArray types => types.Any(t => t is not null && MatchesType(value, t)),
        JsonValue name => name.GetValue<string>() switch
        {
            "null" => value is null,
            "object" => value is JsonObject,
            "array" => value is JsonArray,
            "string" => value is JsonValue v && v.GetValueKind() == JsonValueKind.String,
            "boolean" => value is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False,
            "number" => value is JsonValue v && v.GetValueKind() == JsonValueKind.Number,
            "integer" => value is JsonValue v && v.GetValueKind() == JsonValueKind.Number && JsonValues.ToDouble(v) is var d && d == Math.Floor(d),
            _ => true,
        },
        _ => true,
    };

    private static string Describe(JsonNode type) => type switch
    {
        JsonArray types => string.Join(" or ", types.Select(t => Article(t?.GetValue<string>() ?? "?"))),
        _ => Article(type.GetValue<string>()),
    };

    private static string Article(string type) => type switch
    {
        "object" or "array" or "integer" => $"an {type}",
        "null" => "null",
        "boolean" => "true or false",
        _ => $"a {type}",
    };

    private static string KindOf(JsonNode? value) => value switch
    {
        null => "null",
        JsonObject => "an object",
        JsonArray => "an array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            _ => "null",
        },
        _ => "unknown",
    };
}
