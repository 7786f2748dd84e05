using System.Text.Json.Nodes;

namespace Plexus.Engine.Nodes;

/// <summary>Small builders for the JSON Schemas of node settings, so a node file states its settings in a few lines.</summary>
public static class SettingsSchema
{
    /// <summary>An object schema that refuses unknown settings.</summary>
    public static JsonObject Object(params Setting[] settings)
    {
        var properties = new JsonObject();
        var required = new JsonArray();
        foreach (var setting in settings)
        {
            properties[setting.Name] = setting.Schema;
            if (setting.Required)
            {
                required.Add(setting.Name);
            }
        }

        var schema = new JsonObject { ["type"] = "object", ["properties"] = properties, ["additionalProperties"] = false };
        if (required.Count > 0)
        {
            schema["required"] = required;
        }

        return schema;
    }

    public static JsonObject String(string description, int minLength = 0, string? format = null)
    {
        var schema = Describe(new JsonObject { ["type"] = "string" }, description);
        if (minLength > 0)
        {
            schema["minLength"] = minLength;
        }

        if (format is not null)
        {
            schema["format"] = format;
        }

        return schema;
    }

    public static JsonObject Integer(string description, int? minimum = null, int? maximum = null, int? defaultValue = null)
    {
        var schema = Describe(new JsonObject { ["type"] = "integer" }, description);
        if (minimum is not null)
        {
            schema["minimum"] = minimum;
        }

        if (maximum is not null)
        {
            schema["maximum"] = maximum;
        }

        if (defaultValue is not null)
        {
            schema["default"] = defaultValue;
        }

        return schema;
    }

    public static JsonObject Boolean(string description, bool defaultValue = false) =>
        Describe(new JsonObject { ["type"] = "boolean", ["default"] = defaultValue }, description);

    public static JsonObject Enum(string description, string defaultValue, params string[] values) =>
        Describe(new JsonObject { ["type"] = "string", ["enum"] = new JsonArray([.. values.Select(v => JsonValue.Create(v))]), ["default"] = defaultValue }, description);

    /// <summary>Any JSON value.</summary>
    public static JsonObject Any(string description) => Describe([], description);

    public static JsonObject Map(string description) =>
        Describe(new JsonObject { ["type"] = "object", ["additionalProperties"] = new JsonObject { ["type"] = new JsonArray("string", "number", "boolean") } }, description);

    public static JsonObject Array(string description, JsonObject items) =>
        Describe(new JsonObject { ["type"] = "array", ["items"] = items }, description);

    private static JsonObject Describe(JsonObject schema, string description)
    {
        schema["description"] = description;
        return schema;
    }
}

/// <summary>One named setting of a node.</summary>
public sealed record Setting(string Name, JsonObject Schema, bool Required = false);
