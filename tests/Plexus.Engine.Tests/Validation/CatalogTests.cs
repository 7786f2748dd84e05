using System.Text.Json.Nodes;
using Plexus.Nodes;

namespace Plexus.Engine.Tests.Validation;

public sealed class CatalogTests
{
    [Fact]
    public void Every_node_type_has_a_closed_object_schema_and_a_description()
    {
        foreach (var type in BuiltInNodes.All())
        {
            Assert.Equal("object", type.Info.SettingsSchema["type"]!.GetValue<string>());
            Assert.False(type.Info.SettingsSchema["additionalProperties"]!.GetValue<bool>(), type.Info.Type);
            Assert.NotEmpty(type.Info.Description);
            foreach (var (name, schema) in type.Info.SettingsSchema["properties"]!.AsObject())
            {
                Assert.True(schema is JsonObject { } s && s.ContainsKey("description"), $"{type.Info.Type}.{name} has no description");
            }
        }
    }

    [Fact]
    public void Every_node_type_is_documented()
    {
        var docs = File.ReadAllText(FindUp("docs/nodes.md"));

        Assert.All(BuiltInNodes.All(), type => Assert.Contains($"### `{type.Info.Type}`", docs, StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_types_get_near_suggestions()
    {
        Assert.Equal(["data.set"], BuiltInNodes.Catalog().Suggest("data.sett"));
        Assert.Contains("http.response", BuiltInNodes.Catalog().Suggest("http.respons"));
    }

    internal static string FindUp(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException(relative);
    }
}
