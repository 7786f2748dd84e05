using Plexus.Engine.Routing;
using Plexus.Engine.Tests.Support;

namespace Plexus.Engine.Tests.Routing;

public sealed class RouteTableTests
{
    private static RouteEntry<string> Route(string method, string template, string target) =>
        new(method, RouteTemplate.Parse(template, out var error) ?? throw new ArgumentException(error), target);

    private static RouteTable<string> Table(params RouteEntry<string>[] routes)
    {
        var table = RouteTable.Build(routes, out var conflicts);
        Assert.Empty(conflicts);
        return table;
    }

    [Fact]
    public void Literal_beats_typed_beats_text_beats_catch_all()
    {
        var table = Table(
            Route("GET", "/items/{*rest}", "catch-all"),
            Route("GET", "/items/{name}", "text"),
            Route("GET", "/items/{id:int}", "int"),
            Route("GET", "/items/{id:uuid}", "uuid"),
            Route("GET", "/items/new", "literal"));

        Assert.Equal("literal", table.Match("GET", "/items/new").Entry!.Target);
        Assert.Equal("int", table.Match("GET", "/items/42").Entry!.Target);
        Assert.Equal("uuid", table.Match("GET", "/items/6f9619ff-8b86-d011-b42d-00cf4fc964ff").Entry!.Target);
        Assert.Equal("text", table.Match("GET", "/items/shoe").Entry!.Target);
        Assert.Equal("catch-all", table.Match("GET", "/items/a/b/c").Entry!.Target);
    }

    [Fact]
    public void Parameters_arrive_typed()
    {
        var table = Table(Route("POST", "/hook/{id:int}/{name}/{*rest}", "t"));

        var match = table.Match("POST", "/hook/42/caf%C3%A9/a/b");

        Assert.Equal(RouteMatchKind.Found, match.Kind);
        Assert.Equal("""{"id":42,"name":"café","rest":"a/b"}""", match.Parameters().Json());
    }

    [Fact]
    public void A_dead_end_on_a_literal_falls_back_to_a_parameter()
    {
        var table = Table(Route("GET", "/a/b/c", "literal"), Route("GET", "/a/{x}/d", "param"));

        Assert.Equal("param", table.Match("GET", "/a/b/d").Entry!.Target);
        Assert.Equal("""{"x":"b"}""", table.Match("GET", "/a/b/d").Parameters().Json());
    }

    [Fact]
    public void An_unknown_path_is_not_found_and_a_wrong_method_is_not_allowed_with_allow()
    {
        var table = Table(Route("GET", "/users/{id:int}", "get"), Route("DELETE", "/users/{id:int}", "delete"));

        Assert.Equal(RouteMatchKind.NotFound, table.Match("GET", "/users").Kind);
        Assert.Equal(RouteMatchKind.NotFound, table.Match("GET", "/users/abc").Kind);
        var wrong = table.Match("POST", "/users/7");
        Assert.Equal(RouteMatchKind.MethodNotAllowed, wrong.Kind);
        Assert.Equal("DELETE, GET, HEAD", wrong.Allow);
        Assert.Equal("get", table.Match("HEAD", "/users/7").Entry!.Target);
    }

    [Fact]
    public void Literals_match_without_regard_to_case_and_a_trailing_slash()
    {
        var table = Table(Route("GET", "/Hook", "t"), Route("GET", "/", "root"));

        Assert.Equal("t", table.Match("GET", "/hook/").Entry!.Target);
        Assert.Equal("root", table.Match("GET", "/").Entry!.Target);
        Assert.Equal(RouteMatchKind.NotFound, table.Match("GET", "//hook").Kind);
    }

    [Fact]
    public void A_catch_all_also_takes_an_empty_remainder()
    {
        var table = Table(Route("GET", "/files/{*path}", "t"));

        Assert.Equal("""{"path":""}""", table.Match("GET", "/files").Parameters().Json());
    }

    [Fact]
    public void Routes_that_answer_the_same_requests_are_reported_as_conflicts()
    {
        var first = Route("POST", "/hook/{id}", "a");
        var second = Route("post", "/hook/{other}", "b");

        var table = RouteTable.Build([first, second, Route("GET", "/hook/{id}", "c")], out var conflicts);

        var conflict = Assert.Single(conflicts);
        Assert.Same(first, conflict.First);
        Assert.Same(second, conflict.Second);
        Assert.Equal(2, table.Entries.Count);
    }
}
