using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Plexus.Server.Tests.Editor;

/// <summary>
/// The editor in Debian's Chromium against the real server: what a new user does with it, mouse and keyboard only
/// (the API is used only to set up the later cases). Screenshots of every main screen go to artifacts/screenshots.
/// </summary>
public sealed class EditorSpec(EditorHost host) : IClassFixture<EditorHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string GreetBody = """{ "id": "={{ trigger.params.id }}", "sum": "={{ nodes.sum.output.sum }}", "greeting": "Hello, {{ trigger.body.name }}!" }""";

    private const string TestRequest = """
        { "method": "POST", "path": "/hook/42", "params": { "id": "42" }, "query": {}, "headers": {},
          "body": { "name": "bench", "numbers": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] } }
        """;

    [Fact]
    public async Task A_new_user_signs_up_builds_greet_on_an_empty_canvas_runs_it_publishes_it_and_its_route_answers()
    {
        var page = await host.NewPageAsync();
        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(new Regex("/login$"));
        await EditorHost.ShotAsync(page, "01-login");
        await page.GetByText("Create an account").ClickAsync();
        await page.GetByLabel("Your name").FillAsync("Bench");
        await page.GetByLabel("Email").FillAsync($"bench-{Guid.NewGuid():n}@example.com");
        await page.GetByLabel("Password").FillAsync("correct horse battery");
        await EditorHost.ShotAsync(page, "02-signup");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();

        await Expect(page.GetByText("Create your first project")).ToBeVisibleAsync();
        await EditorHost.ShotAsync(page, "03-projects-empty");
        await page.GetByRole(AriaRole.Button, new() { Name = "New project" }).ClickAsync();
        var slug = $"shop-{Guid.NewGuid():n}"[..16];
        await page.GetByLabel("Name").FillAsync("Shop");
        await page.GetByLabel("Slug").FillAsync(slug);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create project" }).ClickAsync();
        await Expect(page.GetByText("Build your first workflow")).ToBeVisibleAsync();
        await EditorHost.ShotAsync(page, "04-workflows-empty");
        await page.GetByRole(AriaRole.Button, new() { Name = "New workflow" }).ClickAsync();
        await page.GetByLabel("Name").FillAsync("greet");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create and open" }).ClickAsync();
        await Expect(page.GetByText("Start with a trigger")).ToBeVisibleAsync();
        await EditorHost.ShotAsync(page, "05-canvas-empty");

        // The trigger is dragged from the palette; the others are clicked in, each selected for its settings at once.
        await page.Locator(".palette-item[data-type='http.trigger']").DragToAsync(page.Locator(".canvas"), new() { TargetPosition = new() { X = 260, Y = 320 } });
        await Rename(page, "hook");
        await page.Locator("#setting-path").FillAsync("/hook/{id}");
        await page.GetByLabel("Search nodes").FillAsync("javascript");
        await page.Locator(".palette-item[data-type='code.js']").ClickAsync();
        await page.GetByLabel("Search nodes").FillAsync("");
        await Rename(page, "sum");
        await page.Locator("#setting-source").FillAsync("return { sum: input.body.numbers.reduce((a, b) => a + b, 0) }");
        await page.Locator(".palette-item[data-type='http.response']").ClickAsync();
        await Rename(page, "reply");
        await page.Locator("#setting-status").FillAsync("200");
        await page.Locator("#setting-body").FillAsync(GreetBody);
        await page.Locator("#setting-body").BlurAsync();
        await ConnectAsync(page, "hook", "sum");
        await ConnectAsync(page, "sum", "reply");
        await Expect(page.Locator(".react-flow__edge")).ToHaveCountAsync(2);

        // A connection the engine would refuse is refused on the canvas, with the reason.
        await ConnectAsync(page, "reply", "sum");
        await Expect(page.GetByTestId("refusal")).ToContainTextAsync("cycle");
        await Expect(page.Locator(".react-flow__edge")).ToHaveCountAsync(2);
        await EditorHost.ShotAsync(page, "06-canvas-refusal");

        await page.Locator(".react-flow__pane").ClickAsync(new() { Position = new() { X = 12, Y = 12 } });
        await page.Locator("#test-input").FillAsync(TestRequest);
        await page.GetByRole(AriaRole.Button, new() { Name = "Run draft" }).ClickAsync();
        await Expect(page.GetByTestId("run-result").Locator(".run-summary .badge")).ToHaveTextAsync("succeeded");
        await Expect(page.Locator(".pnode.run-succeeded")).ToHaveCountAsync(3);
        await Expect(page.GetByTestId("run-response")).ToContainTextAsync("Hello, bench!");
        await EditorHost.ShotAsync(page, "07-canvas-run");
        await page.Locator(".react-flow__node[data-id='sum']").ClickAsync();
        await Expect(page.GetByTestId("node-output")).ToContainTextAsync("55");
        await page.Locator(".react-flow__node[data-id='reply']").ClickAsync();
        await Expect(page.GetByTestId("node-output")).ToContainTextAsync("Hello, bench!");
        await EditorHost.ShotAsync(page, "08-node-output");
        // Expressions in settings are previewed against the last run's data.
        await page.GetByRole(AriaRole.Button, new() { Name = "Settings", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("preview-body")).ToContainTextAsync("\"greeting\":\"Hello, bench!\"");
        await Expect(page.GetByTestId("preview-body")).ToContainTextAsync("\"sum\":55");
        await EditorHost.ShotAsync(page, "08b-expression-preview");

        // The expression toggle: status becomes ={{ 200 }}, previewed with the run's data; problems show at the field.
        var status = page.GetByTestId("field-status");
        await status.GetByRole(AriaRole.Button, new() { Name = "Expression", Exact = true }).ClickAsync();
        await Expect(status).ToHaveAttributeAsync("data-mode", "expression");
        await Expect(page.Locator("#setting-status")).ToHaveValueAsync("200");
        await Expect(page.GetByTestId("preview-status")).ToContainTextAsync("200");
        await page.Locator("#setting-status").FillAsync("input.sum * 4");
        await Expect(page.GetByTestId("preview-status").Locator("code")).ToHaveTextAsync("220");
        await page.Locator("#setting-status").FillAsync("input.sum +");
        await Expect(status.Locator(".error")).ToContainTextAsync("not valid JavaScript");
        await page.Locator("#setting-status").FillAsync("nodes.ghost.output.code");
        await Expect(status.Locator(".error")).ToContainTextAsync("reads nodes.ghost, which does not run before this node");
        await page.Locator("#setting-status").FillAsync("trigger.body.name");
        await Expect(status.Locator(".warning")).ToContainTextAsync("this gives text \"bench\"; the field needs a whole number from 100 to 599");
        await page.Locator("#setting-status").FillAsync("input.sum * 4");
        await Expect(status.Locator(".error, .warning")).ToHaveCountAsync(0);
        await EditorHost.ShotAsync(page, "08e-expression-toggle");
        // Back to a fixed value: what the expression gave with the last run's data.
        await page.Locator("#setting-status").BlurAsync();
        await status.GetByRole(AriaRole.Button, new() { Name = "Fixed", Exact = true }).ClickAsync();
        await Expect(status).ToHaveAttributeAsync("data-mode", "fixed");
        await Expect(page.Locator("#setting-status")).ToHaveValueAsync("220");
        await page.Locator("#setting-status").FillAsync("200");
        await page.Locator("#setting-status").BlurAsync();

        // Pinned test data: sum's output is pinned, the next run takes it instead of running sum; then unpinned.
        await page.Locator(".react-flow__node[data-id='sum']").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Pin this output as test data" }).ClickAsync();
        await Expect(page.Locator(".react-flow__node[data-id='sum']")).ToContainTextAsync("pinned");
        await page.Keyboard.PressAsync("Control+Enter");
        await Expect(page.GetByTestId("node-output")).ToContainTextAsync("This node is pinned");
        await page.Locator(".react-flow__pane").ClickAsync(new() { Position = new() { X = 12, Y = 12 } });
        await Expect(page.GetByTestId("run-result")).ToContainTextAsync("pinned");
        await Expect(page.GetByTestId("run-response")).ToContainTextAsync("Hello, bench!");
        await EditorHost.ShotAsync(page, "08c-pinned-run");
        // The narrowest supported width: palette, canvas and inspector all fit.
        await page.SetViewportSizeAsync(1280, 800);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Publish", Exact = true })).ToBeInViewportAsync();
        await EditorHost.ShotAsync(page, "08d-canvas-1280");
        await page.SetViewportSizeAsync(1440, 900);
        await page.Locator(".react-flow__node[data-id='sum']").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Unpin" }).ClickAsync();
        await Expect(page.Locator(".react-flow__node[data-id='sum']")).Not.ToContainTextAsync("pinned");

        await page.GetByRole(AriaRole.Button, new() { Name = "Publish", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Publish to prod" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Live on prod" })).ToBeVisibleAsync();
        await EditorHost.ShotAsync(page, "09-published");
        var route = await page.Locator(".modal .copy span").First.GetAttributeAsync("title");
        Assert.Equal($"{host.Url}/p/{slug}/prod/hook/{{id}}", route);

        using var http = new HttpClient();
        using var request = new StringContent("""{"name":"bench","numbers":[1,2,3,4,5,6,7,8,9,10]}""", Encoding.UTF8, "application/json");
        var answer = await http.PostAsync(new Uri(route!.Replace("{id}", "42", StringComparison.Ordinal)), request, Ct);
        var body = await answer.Content.ReadAsStringAsync(Ct);
        Assert.True(answer.IsSuccessStatusCode, body);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"id":"42","sum":55,"greeting":"Hello, bench!"}"""), JsonNode.Parse(body)), body);

        await page.GetByRole(AriaRole.Button, new() { Name = "Done", Exact = true }).ClickAsync();

        // The frozen version and what the draft changed since: nothing yet, then one setting.
        await page.Locator(".react-flow__pane").ClickAsync(new() { Position = new() { X = 12, Y = 12 } });
        await page.GetByRole(AriaRole.Button, new() { Name = "Versions" }).ClickAsync();
        await page.GetByTestId("history").GetByRole(AriaRole.Button, new() { Name = "Version 1", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("history")).ToContainTextAsync("None: the draft is this version.");
        await page.Locator(".react-flow__node[data-id='reply']").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Settings", Exact = true }).ClickAsync();
        await page.Locator("#setting-status").FillAsync("201");
        await page.Locator(".react-flow__pane").ClickAsync(new() { Position = new() { X = 12, Y = 12 } });
        await page.GetByTestId("history").GetByRole(AriaRole.Button, new() { Name = "Version 1", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("history")).ToContainTextAsync("~ reply.status: 200 → 201");
        await EditorHost.ShotAsync(page, "10-versions-diff");
        await page.GetByRole(AriaRole.Button, new() { Name = "Restore v1 into the draft" }).ClickAsync();
        await Expect(page.GetByTestId("history")).ToContainTextAsync("None: the draft is this version.");

        await page.GetByLabel("Back to workflows").ClickAsync();
        await Expect(page.Locator("table.data tbody tr")).ToHaveCountAsync(1);
        await Expect(page.Locator("table.data tbody tr")).ToContainTextAsync("prod · v1");
        await EditorHost.ShotAsync(page, "10b-workflows");
        await Section(page, "Publishing", "11-publishing");
        await Expect(page.Locator("table.matrix tbody tr")).ToContainTextAsync("v1");
        await Section(page, "Routes", "12-routes");
        await Expect(page.Locator("table.data tbody tr")).ToContainTextAsync($"/p/{slug}/prod/hook/{{id}}");
        await Section(page, "Executions", "13-executions");
        // The two draft runs from the canvas (the second with sum pinned) and the route call, all found here.
        await Expect(page.Locator("table.data tbody tr")).ToHaveCountAsync(3);
        await Expect(page.Locator("table.data tbody tr .badge.succeeded")).ToHaveCountAsync(3);
        await page.Locator("table.data tbody tr", new() { HasText = "prod" }).ClickAsync();
        await Expect(page.Locator("table.data tbody tr")).ToHaveCountAsync(3);
        await EditorHost.ShotAsync(page, "14-execution");
        await Section(page, "Secrets & variables", "15-variables-empty");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("STRIPE_KEY");
        await page.GetByLabel("Value").FillAsync("sk_test_123");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save on dev" }).ClickAsync();
        await Expect(page.Locator("table.data tbody")).ToContainTextAsync("STRIPE_KEY");
        await Expect(page.Locator("table.data tbody")).Not.ToContainTextAsync("sk_test_123");
        await EditorHost.ShotAsync(page, "16-variables");
        await Section(page, "Settings", "17-settings");
        await Section(page, "Members", "18-members");
        await Section(page, "API keys", "19-api-keys-empty");
        await page.GetByRole(AriaRole.Button, new() { Name = "New key" }).ClickAsync();
        await page.GetByLabel("Name").FillAsync("ci");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        await Expect(page.GetByTestId("new-api-key")).ToContainTextAsync("plx_");
        await EditorHost.ShotAsync(page, "20-api-key-once");
        await page.GetByRole(AriaRole.Button, new() { Name = "Done" }).ClickAsync();
        await Expect(page.GetByTestId("new-api-key")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Undo_and_redo_walk_back_and_forth_through_adds_and_a_connection()
    {
        var (page, _) = await OpenEmptyWorkflowAsync();
        var nodes = page.Locator(".react-flow__node");
        var edges = page.Locator(".react-flow__edge");
        await page.Locator(".palette-item[data-type='http.trigger']").ClickAsync();
        await page.Locator(".palette-item[data-type='code.js']").ClickAsync();
        await ConnectAsync(page, "trigger", "js");
        await Expect(edges).ToHaveCountAsync(1);

        await page.Locator(".react-flow__pane").ClickAsync(new() { Position = new() { X = 12, Y = 12 } });
        await page.Keyboard.PressAsync("Control+z");
        await Expect(edges).ToHaveCountAsync(0);
        await Expect(nodes).ToHaveCountAsync(2);
        await page.Keyboard.PressAsync("Control+z");
        await Expect(nodes).ToHaveCountAsync(1);
        await page.GetByLabel("Undo").ClickAsync();
        await Expect(nodes).ToHaveCountAsync(0);
        await Expect(page.GetByLabel("Undo")).ToBeDisabledAsync();
        await page.Keyboard.PressAsync("Control+Shift+z");
        await page.Keyboard.PressAsync("Control+Shift+z");
        await page.GetByLabel("Redo").ClickAsync();
        await Expect(nodes).ToHaveCountAsync(2);
        await Expect(edges).ToHaveCountAsync(1);
        await Expect(page.GetByLabel("Redo")).ToBeDisabledAsync();

        // Delete removes the selection (the node and its edge), and one undo brings both back.
        await page.Locator(".react-flow__node[data-id='js']").ClickAsync();
        await page.Keyboard.PressAsync("Delete");
        await Expect(nodes).ToHaveCountAsync(1);
        await Expect(edges).ToHaveCountAsync(0);
        await page.Keyboard.PressAsync("Control+z");
        await Expect(nodes).ToHaveCountAsync(2);
        await Expect(edges).ToHaveCountAsync(1);

        // Copy and paste both nodes: fresh ids, the edge between them comes along; one undo takes the paste back.
        await page.Locator(".react-flow__pane").ClickAsync(new() { Position = new() { X = 12, Y = 12 } });
        await page.Locator(".react-flow__node[data-id='trigger']").ClickAsync();
        await page.Locator(".react-flow__node[data-id='js']").ClickAsync(new() { Modifiers = [KeyboardModifier.Control] });
        await page.Keyboard.PressAsync("Control+c");
        await page.Keyboard.PressAsync("Control+v");
        await Expect(nodes).ToHaveCountAsync(4);
        await Expect(edges).ToHaveCountAsync(2);
        await Expect(page.Locator(".react-flow__node[data-id='trigger2']")).ToHaveCountAsync(1);
        await page.Keyboard.PressAsync("Control+z");
        await Expect(nodes).ToHaveCountAsync(2);
    }

    [Fact]
    public async Task Several_nodes_are_selected_by_shift_click_or_box_moved_and_deleted_together_and_auto_layout_is_undone_exactly()
    {
        var owner = await AccountAsync();
        var (project, _) = await owner.ProjectAsync();
        var workflow = await PostAsync(owner.Http, $"/api/v1/projects/{project}/workflows", new { name = "shapes", document = JsonNode.Parse(ShapesDocument) });
        var page = await host.NewPageAsync(owner.Session);
        await page.GotoAsync($"/projects/{project}/workflows/{workflow}");
        var nodes = page.Locator(".react-flow__node");
        var edges = page.Locator(".react-flow__edge");
        await Expect(nodes).ToHaveCountAsync(5);
        await SettledAsync(page);
        var original = await PositionsAsync(page);
        Assert.Equal((300, 300), original["c"]);

        // Shift-click: a and b; dragging a moves both by the same amount, and one undo puts both back.
        await page.Locator(".react-flow__node[data-id='a']").ClickAsync();
        await page.Locator(".react-flow__node[data-id='b']").ClickAsync(new() { Modifiers = [KeyboardModifier.Shift] });
        await Expect(page.Locator(".react-flow__node.selected")).ToHaveCountAsync(2);
        await Expect(page.GetByTestId("selection-count")).ToHaveTextAsync("2 nodes selected");
        var box = await page.Locator(".react-flow__node[data-id='a']").BoundingBoxAsync();
        await page.Mouse.MoveAsync(box!.X + 60, box.Y + 20);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(box.X + 180, box.Y + 100, new() { Steps = 10 });
        await page.Mouse.UpAsync();
        var moved = await PositionsAsync(page);
        var shift = (moved["a"].X - original["a"].X, moved["a"].Y - original["a"].Y);
        Assert.True(shift.Item1 > 50 && shift.Item2 > 30, $"a moved by {shift}");
        Assert.Equal(shift, (moved["b"].X - original["b"].X, moved["b"].Y - original["b"].Y));
        foreach (var still in new[] { "hook", "c", "reply" })
        {
            Assert.Equal(original[still], moved[still]);
        }

        await page.Keyboard.PressAsync("Control+z");
        await Expect(page.Locator(".react-flow__node[data-id='b']")).ToHaveAttributeAsync("style", new Regex(@"translate\(600px, 0px\)"));
        Assert.Equal(original, await PositionsAsync(page));

        // A selection box drawn with Shift around c and reply selects exactly those two; Delete removes them and their edges.
        await page.Locator(".react-flow__pane").ClickAsync(new() { Position = new() { X = 12, Y = 12 } });
        var from = await page.Locator(".react-flow__node[data-id='c']").BoundingBoxAsync();
        var to = await page.Locator(".react-flow__node[data-id='reply']").BoundingBoxAsync();
        await page.Keyboard.DownAsync("Shift");
        await page.Mouse.MoveAsync(from!.X - 20, from.Y - 20);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(to!.X + to.Width + 20, to.Y + to.Height + 20, new() { Steps = 10 });
        await page.Mouse.UpAsync();
        await page.Keyboard.UpAsync("Shift");
        await Expect(page.Locator(".react-flow__node.selected")).ToHaveCountAsync(2);
        await Expect(page.Locator(".react-flow__node.selected[data-id='c']")).ToHaveCountAsync(1);
        await Expect(page.Locator(".react-flow__node.selected[data-id='reply']")).ToHaveCountAsync(1);
        await EditorHost.ShotAsync(page, "30-box-selection");
        await page.Keyboard.PressAsync("Delete");
        await Expect(nodes).ToHaveCountAsync(3);
        await Expect(edges).ToHaveCountAsync(2);
        await page.Keyboard.PressAsync("Control+z");
        await Expect(nodes).ToHaveCountAsync(5);
        await Expect(edges).ToHaveCountAsync(5);
        Assert.Equal(original, await PositionsAsync(page));

        // Auto-layout: columns by longest path (280 apart), rows centred 130 apart; saved; one undo restores every position.
        await page.GetByLabel("Auto-layout").ClickAsync();
        await Expect(page.Locator(".react-flow__node[data-id='reply']")).ToHaveAttributeAsync("style", new Regex(@"translate\(840px, 0px\)"));
        var laid = await PositionsAsync(page);
        Assert.Equal(new Dictionary<string, (int, int)> { ["hook"] = (0, 0), ["a"] = (280, -65), ["c"] = (280, 65), ["b"] = (560, 0), ["reply"] = (840, 0) }, laid);
        await Expect(page.GetByTestId("save-state")).ToHaveAttributeAsync("data-state", "saved");
        var saved = (await owner.Http.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{workflow}/draft", Ct))!["nodes"]!.AsArray()
            .ToDictionary(n => n!["id"]!.GetValue<string>(), n => (n!["position"]!["x"]!.GetValue<int>(), n["position"]!["y"]!.GetValue<int>()));
        Assert.Equal(laid, saved);
        await EditorHost.ShotAsync(page, "31-auto-layout");
        await page.GetByLabel("Undo").ClickAsync();
        await Expect(page.Locator(".react-flow__node[data-id='reply']")).ToHaveAttributeAsync("style", new Regex(@"translate\(600px, 300px\)"));
        Assert.Equal(original, await PositionsAsync(page));
        await page.GetByLabel("Redo").ClickAsync();
        await Expect(page.Locator(".react-flow__node[data-id='reply']")).ToHaveAttributeAsync("style", new Regex(@"translate\(840px, 0px\)"));
        Assert.Equal(laid, await PositionsAsync(page));
    }

    [Fact]
    public async Task A_save_from_another_tab_is_a_conflict_the_person_resolves_by_reloading_theirs()
    {
        var (first, session) = await OpenEmptyWorkflowAsync();
        var second = await host.NewPageAsync(session);
        await second.GotoAsync(first.Url);
        await Expect(second.GetByText("Start with a trigger")).ToBeVisibleAsync();

        await first.Locator(".palette-item[data-type='code.js']").ClickAsync();
        await Expect(first.GetByTestId("save-state")).ToHaveAttributeAsync("data-state", "saved");
        await second.Locator(".palette-item[data-type='data.set']").ClickAsync();
        await Expect(second.GetByRole(AriaRole.Dialog, new() { Name = "Someone else saved this workflow" })).ToBeVisibleAsync();
        await EditorHost.ShotAsync(second, "21-save-conflict");

        await second.GetByRole(AriaRole.Button, new() { Name = "Reload theirs (drop mine)" }).ClickAsync();
        await Expect(second.Locator(".react-flow__node")).ToHaveCountAsync(1);
        await Expect(second.Locator(".react-flow__node[data-id='js']")).ToHaveCountAsync(1);
        await Expect(second.GetByTestId("save-state")).ToHaveAttributeAsync("data-state", "saved");
    }

    [Fact]
    public async Task A_running_draft_shows_each_node_live_and_after_a_dropped_connection_catches_up_on_what_it_missed()
    {
        var owner = await AccountAsync();
        var (project, _) = await owner.ProjectAsync();
        var document = JsonNode.Parse("""
            { "schema": "plexus/workflow@1", "name": "slow",
              "nodes": [
                { "id": "start", "type": "trigger.manual", "position": { "x": 0, "y": 0 } },
                { "id": "first", "type": "data.set", "settings": { "value": "one" }, "position": { "x": 240, "y": 0 } },
                { "id": "pause", "type": "flow.wait", "settings": { "mode": "duration", "durationMs": 3000 }, "position": { "x": 480, "y": 0 } },
                { "id": "second", "type": "data.set", "settings": { "value": "two" }, "position": { "x": 720, "y": 0 } },
                { "id": "hold", "type": "flow.wait", "settings": { "mode": "duration", "durationMs": 10000 }, "position": { "x": 960, "y": 0 } },
                { "id": "third", "type": "data.set", "settings": { "value": "three" }, "position": { "x": 1200, "y": 0 } }
              ],
              "edges": [ { "from": "start", "to": "first" }, { "from": "first", "to": "pause" }, { "from": "pause", "to": "second" },
                         { "from": "second", "to": "hold" }, { "from": "hold", "to": "third" } ] }
            """);
        var workflow = await PostAsync(owner.Http, $"/api/v1/projects/{project}/workflows", new { name = "slow", document });
        var page = await host.NewPageAsync(owner.Session);
        // The browser's hub sockets go through the test, so that it can cut them: going offline alone leaves an open
        // WebSocket open in Chromium (the live connection would never drop).
        var sockets = new ConcurrentBag<IWebSocketRoute>();
        var down = false;
        await page.RouteWebSocketAsync(new Regex("/hubs/executions"), socket =>
        {
            if (Volatile.Read(ref down))
            {
                _ = socket.CloseAsync(new() { Code = 1011, Reason = "network down" });
                return;
            }

            socket.ConnectToServer();
            sockets.Add(socket);
        });
        await page.GotoAsync($"/projects/{project}/workflows/{workflow}");
        await Expect(page.Locator(".react-flow__node")).ToHaveCountAsync(6);
        var succeeded = (string node) => page.Locator($".react-flow__node[data-id='{node}'] .pnode.run-succeeded");

        await page.GetByRole(AriaRole.Button, new() { Name = "Run draft" }).ClickAsync();

        // Only live events can tell this: the stored record of a running execution has no node runs yet.
        await Expect(succeeded("first")).ToHaveCountAsync(1);
        await Expect(succeeded("second")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("live-state")).ToHaveAttributeAsync("data-state", "live");
        await EditorHost.ShotAsync(page, "07b-canvas-live-run");
        var details = await page.GetByTestId("run-banner").GetByRole(AriaRole.Link, new() { Name = "Details" }).GetAttributeAsync("href") ?? "";
        var execution = details[(details.LastIndexOf('/') + 1)..];

        // A second, independent watcher of the same run sees what happens while the browser is cut off.
        await using var watcher = await LiveWatcher.JoinAsync(host.Url, owner.AccessToken, execution);

        // The network drops: nothing gets through, and the open live connection is cut; the editor sees it go.
        Volatile.Write(ref down, true);
        await page.Context.SetOfflineAsync(true);
        foreach (var socket in sockets)
        {
            await socket.CloseAsync(new() { Code = 1011, Reason = "network down" });
        }

        await Expect(page.GetByTestId("live-state")).ToHaveAttributeAsync("data-state", "reconnecting");
        await EditorHost.ShotAsync(page, "07c-canvas-live-reconnecting");

        // While it is down, second runs: its events are sent, the watcher gets them, the editor cannot.
        await watcher.UntilAsync("node.finished", "second");
        await Expect(succeeded("second")).ToHaveCountAsync(0);

        // Back online: the editor joins again and the answer brings second's run, while the run is still going.
        Volatile.Write(ref down, false);
        await page.Context.SetOfflineAsync(false);
        await Expect(page.GetByTestId("live-state")).ToHaveAttributeAsync("data-state", "live");
        await Expect(succeeded("second")).ToHaveCountAsync(1);
        Assert.False(watcher.Saw("run.finished"), "second showed only once the run had ended (its final record), not when the editor joined again");
        await Expect(succeeded("third")).ToHaveCountAsync(0);
        await Expect(page.GetByTestId("run-result").Locator(".run-summary .badge")).ToHaveTextAsync("running");

        // And it goes on live to the end.
        await Expect(succeeded("third")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        await Expect(page.GetByTestId("run-result").Locator(".run-summary .badge")).ToHaveTextAsync("succeeded");
    }

    [Fact]
    public async Task A_past_execution_opens_read_only_with_the_version_it_ran_and_re_runs_from_a_node_with_its_upstream_outputs()
    {
        var owner = await AccountAsync();
        var (project, slug) = await owner.ProjectAsync();
        var workflow = await PostAsync(owner.Http, $"/api/v1/projects/{project}/workflows", new { name = "greet", document = JsonNode.Parse(GreetDocument) });
        await PostAsync(owner.Http, $"/api/v1/workflows/{workflow}/versions", new { }, "version");
        await PostAsync(owner.Http, $"/api/v1/workflows/{workflow}/publish", new { stage = "prod", version = 1 }, "version");
        using (var caller = new HttpClient())
        using (var body = new StringContent("""{"name":"bench","numbers":[1,2,3,4,5,6,7,8,9,10]}""", Encoding.UTF8, "application/json"))
        {
            (await caller.PostAsync(new Uri($"{host.Url}/p/{slug}/prod/hook/42"), body, Ct)).EnsureSuccessStatusCode();
        }

        // The draft moves on after the run (a fourth node): the canvas must show the document the run used, not this.
        using (var draft = await owner.Http.GetAsync($"/api/v1/workflows/{workflow}/draft", Ct))
        {
            var changed = JsonNode.Parse(GreetDocument)!;
            changed["nodes"]!.AsArray().Add(JsonNode.Parse("""{ "id": "later", "type": "data.set", "settings": { "value": 1 }, "position": { "x": 0, "y": 200 } }"""));
            using var put = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/workflows/{workflow}/draft") { Content = JsonContent.Create(changed) };
            put.Headers.IfMatch.Add(draft.Headers.ETag!);
            (await owner.Http.SendAsync(put, Ct)).EnsureSuccessStatusCode();
        }

        var first = await StoredExecutionAsync(owner.Http, workflow);
        var page = await host.NewPageAsync(owner.Session);
        await page.GotoAsync($"/projects/{project}/executions/{first}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Open on canvas" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"workflows/{workflow}\\?execution={first}$"));
        await Expect(page.GetByTestId("read-only")).ToHaveTextAsync("Read-only: version 1");
        await Expect(page.Locator(".react-flow__node")).ToHaveCountAsync(3);
        await Expect(page.Locator(".react-flow__node[data-id='later']")).ToHaveCountAsync(0);
        await Expect(page.Locator(".pnode.run-succeeded")).ToHaveCountAsync(3);
        await Expect(page.GetByTestId("run-result").Locator(".run-summary")).ToContainTextAsync("3 node runs");

        // Nothing on it changes: no palette, no publishing, nodes do not move, settings are disabled.
        await Expect(page.Locator(".palette")).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Publish", Exact = true })).ToHaveCountAsync(0);
        await Expect(page.GetByLabel("Undo")).ToHaveCountAsync(0);
        // (Dragging a node that cannot move pans the view instead: its place in the workflow, the transform, stays.)
        var sum = page.Locator(".react-flow__node[data-id='sum']");
        var before = await sum.GetAttributeAsync("style");
        var box = await sum.BoundingBoxAsync();
        await sum.HoverAsync();
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(box!.X + 200, box.Y + 150, new() { Steps = 8 });
        await page.Mouse.UpAsync();
        Assert.Matches("transform: translate\\(280px, 0px\\)", before);
        Assert.Equal(before, await sum.GetAttributeAsync("style"));
        await sum.ClickAsync();
        await Expect(page.GetByTestId("node-output")).ToContainTextAsync("55");
        await page.GetByRole(AriaRole.Button, new() { Name = "Settings", Exact = true }).ClickAsync();
        await Expect(page.Locator("#setting-source")).ToBeDisabledAsync();
        await Expect(page.GetByLabel("Delete node")).ToHaveCountAsync(0);
        await EditorHost.ShotAsync(page, "22-execution-read-only");

        // Re-run from reply: only reply runs again, with hook's and sum's outputs from that execution.
        await page.Locator(".react-flow__node[data-id='reply']").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Re-run from here" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"\\?execution=(?!{first})[0-9a-f-]+&from={first}$"));
        var second = new Regex("execution=([0-9a-f-]+)").Match(page.Url).Groups[1].Value;
        await page.Locator(".react-flow__pane").ClickAsync(new() { Position = new() { X = 12, Y = 12 } });
        await Expect(page.GetByTestId("run-result").Locator(".run-summary")).ToContainTextAsync("1 node run");
        await Expect(page.Locator("[data-testid='node-run'][data-reused='true']")).ToHaveCountAsync(2);
        await Expect(page.Locator(".pnode.run-reused")).ToHaveCountAsync(2);
        await Expect(page.Locator(".react-flow__node[data-id='reply'] .pnode.run-succeeded:not(.run-reused)")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("run-response")).ToContainTextAsync("Hello, bench!");
        await EditorHost.ShotAsync(page, "23-rerun-from-node");
        var rerun = await owner.Http.GetFromJsonAsync<JsonObject>($"/api/v1/executions/{second}", Ct);
        Assert.Equal(["reply"], rerun!["nodes"]!.AsArray().Select(n => n!["nodeId"]!.GetValue<string>()));
        Assert.Equal((1, "prod"), (rerun["version"]!.GetValue<int>(), rerun["stage"]!.GetValue<string>()));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"id":"42","sum":55,"greeting":"Hello, bench!"}"""), rerun["nodes"]![0]!["output"]!["body"]));

        // Again from this re-run: its own record has only reply, so the canvas's reused outputs go along with it.
        await page.Locator(".react-flow__node[data-id='reply']").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Re-run from here" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex($"&from={second},{first}$"));
        var third = new Regex("execution=([0-9a-f-]+)").Match(page.Url).Groups[1].Value;
        await Expect(page.Locator(".pnode.run-reused")).ToHaveCountAsync(2);
        var again = await owner.Http.GetFromJsonAsync<JsonObject>($"/api/v1/executions/{third}", Ct);
        Assert.Equal("succeeded", again!["status"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"id":"42","sum":55,"greeting":"Hello, bench!"}"""), again["nodes"]![0]!["output"]!["body"]));

        await page.GetByRole(AriaRole.Link, new() { Name = "Back to the draft" }).ClickAsync();
        await Expect(page.Locator(".react-flow__node")).ToHaveCountAsync(4);
        await Expect(page.GetByTestId("read-only")).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Publish", Exact = true })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_viewer_reads_workflows_and_runs_but_is_offered_nothing_that_changes_them_and_the_canvas_is_read_only()
    {
        var owner = await AccountAsync();
        var (project, _) = await owner.ProjectAsync();
        var workflow = await PostAsync(owner.Http, $"/api/v1/projects/{project}/workflows", new { name = "greet", document = JsonNode.Parse(GreetDocument) });
        var run = await PostAsync(owner.Http, $"/api/v1/workflows/{workflow}/runs?wait=true", new { input = JsonNode.Parse(TestRequest) });
        var viewer = await AccountAsync();
        await PostAsync(owner.Http, $"/api/v1/orgs/{owner.Org}/members", new { email = viewer.Email, role = "viewer" }, "userId");
        var revision = (await owner.Http.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{workflow}", Ct))!["draftRevision"]!.GetValue<int>();

        var page = await host.NewPageAsync(viewer.Session);
        await page.GotoAsync($"/projects/{project}/workflows");
        await Expect(page.Locator("table.data tbody tr")).ToHaveCountAsync(1);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "New workflow" })).ToHaveCountAsync(0);
        await Expect(page.GetByLabel("Delete greet")).ToHaveCountAsync(0);
        await Expect(page.Locator(".sidebar a.nav", new() { HasText = "API keys" })).ToHaveCountAsync(0);
        await EditorHost.ShotAsync(page, "24-viewer-workflows");

        await page.Locator("table.data tbody tr").ClickAsync();
        await Expect(page.GetByTestId("read-only")).ToHaveTextAsync("View only");
        await Expect(page.Locator(".react-flow__node")).ToHaveCountAsync(3);
        await Expect(page.Locator(".palette")).ToHaveCountAsync(0);
        await Expect(page.Locator(".topbar").GetByRole(AriaRole.Button, new() { Name = "Run", Exact = true })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Run draft", Exact = true })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Publish", Exact = true })).ToHaveCountAsync(0);

        foreach (var label in new[] { "Undo", "Redo", "Auto-layout", "Import" })
        {
            await Expect(page.GetByLabel(label, new() { Exact = true })).ToHaveCountAsync(0);
        }

        await Expect(page.GetByTestId("save-state")).ToHaveCountAsync(0);
        await Expect(page.Locator("#test-input")).ToHaveCountAsync(0);
        var sum = page.Locator(".react-flow__node[data-id='sum']");
        var place = await sum.GetAttributeAsync("style");
        var box = await sum.BoundingBoxAsync();
        await page.Mouse.MoveAsync(box!.X + 40, box.Y + 20);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(box.X + 240, box.Y + 160, new() { Steps = 8 });
        await page.Mouse.UpAsync();
        Assert.Equal(place, await sum.GetAttributeAsync("style"));
        await sum.ClickAsync();
        await page.Keyboard.PressAsync("Delete");
        await page.Keyboard.PressAsync("Control+v");
        await Expect(page.Locator(".react-flow__node")).ToHaveCountAsync(3);
        await Expect(page.Locator("#setting-source")).ToBeDisabledAsync();
        await Expect(page.Locator("#node-id")).ToBeDisabledAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Run from here" })).ToHaveCountAsync(0);
        await Expect(page.GetByLabel("Delete node")).ToHaveCountAsync(0);
        await EditorHost.ShotAsync(page, "25-viewer-canvas");
        var after = (await owner.Http.GetFromJsonAsync<JsonObject>($"/api/v1/workflows/{workflow}", Ct))!["draftRevision"]!.GetValue<int>();
        Assert.Equal(revision, after);

        // A past run opens read-only too, without re-running.
        await page.GotoAsync($"/projects/{project}/executions/{run}");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Cancel run" })).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Link, new() { Name = "Open on canvas" }).ClickAsync();
        await Expect(page.Locator(".pnode.run-succeeded")).ToHaveCountAsync(3);
        await page.Locator(".react-flow__node[data-id='reply']").ClickAsync();
        await Expect(page.GetByTestId("node-output")).ToContainTextAsync("Hello, bench!");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Re-run from here" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Pin this output as test data" })).ToHaveCountAsync(0);

        // The other sections show what is there, without the buttons that would change it.
        await page.GetByLabel("Back to workflows").ClickAsync();
        await Section(page, "Publishing", "26-viewer-publishing");
        await Expect(page.Locator("table.matrix tbody tr")).ToHaveCountAsync(1);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Change" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "New stage" })).ToHaveCountAsync(0);
        await Section(page, "Secrets & variables", "27-viewer-variables");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Save on dev" })).ToHaveCountAsync(0);
        await Expect(page.Locator(".notice")).ToContainTextAsync("Your role (viewer) can read the variables");
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveCountAsync(0);
        await Section(page, "Settings", "28-viewer-settings");
        await Expect(page.Locator("#settings-name")).ToBeDisabledAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Save settings" })).ToHaveCountAsync(0);
        await Section(page, "Members", "29-viewer-members");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Add member" })).ToHaveCountAsync(0);
        await Expect(page.GetByLabel($"Role of {owner.Email}")).ToBeDisabledAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Remove" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Leave" })).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task Colours_follow_the_system_until_the_toggle_chooses_light_or_dark_which_is_kept_across_reloads()
    {
        var owner = await AccountAsync();
        var (project, _) = await owner.ProjectAsync();
        var workflow = await PostAsync(owner.Http, $"/api/v1/projects/{project}/workflows", new { name = "greet", document = JsonNode.Parse(GreetDocument) });
        var run = await PostAsync(owner.Http, $"/api/v1/workflows/{workflow}/runs?wait=true", new { input = JsonNode.Parse(TestRequest) });
        var html = (IPage page) => page.Locator("html");
        var background = (IPage page) => page.EvaluateAsync<string>("getComputedStyle(document.documentElement).backgroundColor");

        // A dark system: dark from the first page on, the canvas too.
        var dark = await host.NewPageAsync(owner.Session, ColorScheme.Dark);
        await dark.GotoAsync($"/projects/{project}/workflows");
        await Expect(html(dark)).ToHaveAttributeAsync("data-theme", "dark");
        await Expect(dark.Locator(".theme-toggle")).ToHaveAttributeAsync("data-choice", "system");
        Assert.Equal("rgb(14, 17, 23)", await background(dark));
        await Expect(dark.Locator("table.data tbody tr")).ToHaveCountAsync(1);
        await EditorHost.ShotAsync(dark, "32-workflows-dark");
        await dark.GotoAsync($"/projects/{project}/workflows/{workflow}?execution={run}");
        await Expect(dark.Locator(".pnode.run-succeeded")).ToHaveCountAsync(3);
        await Expect(dark.Locator(".react-flow.dark")).ToHaveCountAsync(1);
        await dark.Locator(".react-flow__node[data-id='reply']").ClickAsync();
        await Expect(dark.GetByTestId("node-output")).ToContainTextAsync("Hello, bench!");
        await EditorHost.ShotAsync(dark, "33-canvas-dark");

        // A light system: light, until the toggle chooses dark, which a reload keeps; back to the system's light after.
        var light = await host.NewPageAsync(owner.Session);
        await light.GotoAsync($"/projects/{project}/workflows");
        await Expect(html(light)).ToHaveAttributeAsync("data-theme", "light");
        Assert.Equal("rgb(246, 247, 249)", await background(light));
        await Expect(light.Locator("table.data tbody tr")).ToHaveCountAsync(1);
        await EditorHost.ShotAsync(light, "32-workflows-light");
        await light.GotoAsync($"/projects/{project}/workflows/{workflow}?execution={run}");
        await Expect(light.Locator(".pnode.run-succeeded")).ToHaveCountAsync(3);
        await Expect(light.Locator(".react-flow.light")).ToHaveCountAsync(1);
        await light.Locator(".react-flow__node[data-id='reply']").ClickAsync();
        await EditorHost.ShotAsync(light, "33-canvas-light");
        await light.GetByLabel("Colour theme: as the system").ClickAsync();
        await Expect(light.Locator(".theme-toggle")).ToHaveAttributeAsync("data-choice", "light");
        await light.GetByLabel("Colour theme: light").ClickAsync();
        await Expect(html(light)).ToHaveAttributeAsync("data-theme", "dark");
        await Expect(light.Locator(".react-flow.dark")).ToHaveCountAsync(1);
        await light.ReloadAsync();
        await Expect(light.Locator(".pnode.run-succeeded")).ToHaveCountAsync(3);
        await Expect(html(light)).ToHaveAttributeAsync("data-theme", "dark");
        Assert.Equal("dark", await light.EvaluateAsync<string>("localStorage.getItem('plexus.theme')"));
        await light.GetByLabel("Colour theme: dark").ClickAsync();
        await Expect(html(light)).ToHaveAttributeAsync("data-theme", "light");
        Assert.Null(await light.EvaluateAsync<string?>("localStorage.getItem('plexus.theme')"));
    }

    [Fact]
    public async Task A_refused_log_in_shows_the_problem_the_API_answered()
    {
        var signedUp = JsonNode.Parse(await host.SignUpAsync())!;
        var page = await host.NewPageAsync();
        await page.GotoAsync("/login");
        await page.GetByLabel("Email").FillAsync(signedUp["user"]!["email"]!.GetValue<string>());
        await page.GetByLabel("Password").FillAsync("not the password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("email or password is wrong");
        await Expect(page).ToHaveURLAsync(new Regex("/login$"));
        await EditorHost.ShotAsync(page, "01b-login-refused");
    }

    private const string GreetDocument = """
        { "schema": "plexus/workflow@1", "name": "greet",
          "nodes": [
            { "id": "hook", "type": "http.trigger", "settings": { "method": "POST", "path": "/hook/{id}" }, "position": { "x": 0, "y": 0 } },
            { "id": "sum", "type": "code.js", "settings": { "source": "return { sum: input.body.numbers.reduce((a, b) => a + b, 0) }" }, "position": { "x": 280, "y": 0 } },
            { "id": "reply", "type": "http.response", "settings": { "status": 200,
                "body": { "id": "={{ trigger.params.id }}", "sum": "={{ nodes.sum.output.sum }}", "greeting": "Hello, {{ trigger.body.name }}!" } }, "position": { "x": 560, "y": 0 } } ],
          "edges": [ { "from": "hook", "to": "sum" }, { "from": "sum", "to": "reply" } ] }
        """;

    private const string ShapesDocument = """
        { "schema": "plexus/workflow@1", "name": "shapes",
          "nodes": [
            { "id": "hook", "type": "trigger.manual", "position": { "x": 0, "y": 0 } },
            { "id": "a", "type": "data.set", "settings": { "value": "a" }, "position": { "x": 300, "y": 0 } },
            { "id": "b", "type": "data.set", "settings": { "value": "b" }, "position": { "x": 600, "y": 0 } },
            { "id": "c", "type": "data.set", "settings": { "value": "c" }, "position": { "x": 300, "y": 300 } },
            { "id": "reply", "type": "data.set", "settings": { "value": "r" }, "position": { "x": 600, "y": 300 } } ],
          "edges": [ { "from": "hook", "to": "a" }, { "from": "a", "to": "b" }, { "from": "b", "to": "reply" },
                     { "from": "hook", "to": "c" }, { "from": "c", "to": "reply" } ] }
        """;

    /// <summary>Each node's place in the workflow (flow coordinates, from its transform; not where the view shows it).</summary>
    private static async Task<Dictionary<string, (int X, int Y)>> PositionsAsync(IPage page)
    {
        var places = await page.Locator(".react-flow__node").EvaluateAllAsync<string[][]>(
            "nodes => nodes.map(n => [n.dataset.id, n.style.transform])");
        return places.ToDictionary(p => p[0], p =>
        {
            var m = Regex.Match(p[1], @"translate\((-?[\d.]+)px, (-?[\d.]+)px\)");
            Assert.True(m.Success, p[1]);
            return ((int)double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture),
                (int)double.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
        });
    }

    /// <summary>A user signed up through the API: their session (what the editor keeps), an HTTP client with their token, their organisation.</summary>
    private sealed record Account(string Session, HttpClient Http, string Org, string Email)
    {
        public string AccessToken => JsonNode.Parse(Session)!["accessToken"]!.GetValue<string>();

        public async Task<(string Id, string Slug)> ProjectAsync()
        {
            var slug = $"p-{Guid.NewGuid():n}"[..14];
            return (await PostAsync(Http, $"/api/v1/orgs/{Org}/projects", new { name = "Shop", slug }), slug);
        }
    }

    private async Task<Account> AccountAsync()
    {
        var session = await host.SignUpAsync();
        var signedUp = JsonNode.Parse(session)!;
        var http = new HttpClient { BaseAddress = new Uri(host.Url) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", signedUp["accessToken"]!.GetValue<string>());
        return new Account(session, http, signedUp["organization"]!["id"]!.GetValue<string>(), signedUp["user"]!["email"]!.GetValue<string>());
    }

    /// <summary>The id of the workflow's one execution, once the recorder has stored it (route calls are recorded in the background).</summary>
    private static async Task<string> StoredExecutionAsync(HttpClient http, string workflow)
    {
        for (var i = 0; i < 200; i++)
        {
            var page = await http.GetFromJsonAsync<JsonObject>($"/api/v1/executions?workflowId={workflow}", Ct);
            if (page!["items"]!.AsArray() is [{ } only] && only["status"]!.GetValue<string>() == "succeeded")
            {
                return only["id"]!.GetValue<string>();
            }

            await Task.Delay(100, Ct);
        }

        throw new TimeoutException("the route's execution was not stored within 20 s");
    }

    /// <summary>Signs up through the API, makes a project and an empty workflow, and opens it signed in.</summary>
    private async Task<(IPage Page, string Session)> OpenEmptyWorkflowAsync()
    {
        var session = await host.SignUpAsync();
        var signedUp = JsonNode.Parse(session)!;
        using var http = new HttpClient { BaseAddress = new Uri(host.Url) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", signedUp["accessToken"]!.GetValue<string>());
        var org = signedUp["organization"]!["id"]!.GetValue<string>();
        var project = await PostAsync(http, $"/api/v1/orgs/{org}/projects", new { name = "Shop", slug = $"p-{Guid.NewGuid():n}"[..14] });
        var workflow = await PostAsync(http, $"/api/v1/projects/{project}/workflows",
            new { name = "draft", document = new { schema = "plexus/workflow@1", name = "draft", nodes = Array.Empty<object>(), edges = Array.Empty<object>() } });
        var page = await host.NewPageAsync(session);
        await page.GotoAsync($"/projects/{project}/workflows/{workflow}");
        await Expect(page.GetByText("Start with a trigger")).ToBeVisibleAsync();
        return (page, session);
    }

    private static async Task<string> PostAsync(HttpClient http, string path, object body, string answerField = "id")
    {
        var answer = await http.PostAsJsonAsync(path, body, Ct);
        var json = await answer.Content.ReadFromJsonAsync<JsonObject>(Ct);
        Assert.True(answer.IsSuccessStatusCode, json?.ToJsonString());
        return json![answerField]!.ToString();
    }

    private static async Task Rename(IPage page, string id)
    {
        await page.Locator("#node-id").FillAsync(id);
        await page.Locator("#node-id").PressAsync("Enter");
        await Expect(page.Locator($".react-flow__node[data-id='{id}']")).ToHaveCountAsync(1);
    }

    private static async Task Section(IPage page, string link, string shot)
    {
        await page.Locator(".sidebar a.nav", new() { HasText = link }).ClickAsync();
        await Expect(page.Locator("h1")).ToBeVisibleAsync();
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await EditorHost.ShotAsync(page, shot);
    }

    /// <summary>Waits until the canvas stops moving (adding a node zooms the view to fit, animated).</summary>
    private static async Task SettledAsync(IPage page)
    {
        var viewport = page.Locator(".react-flow__viewport");
        var last = await viewport.GetAttributeAsync("style");
        for (var i = 0; i < 40; i++)
        {
            await Task.Delay(100, Ct);
            var now = await viewport.GetAttributeAsync("style");
            if (now == last)
            {
                return;
            }

            last = now;
        }
    }

    /// <summary>Drags with the mouse from a node's output port to another node's input port.</summary>
    private static async Task ConnectAsync(IPage page, string from, string to, string port = "out")
    {
        await SettledAsync(page);
        var source = await page.Locator($".react-flow__node[data-id='{from}'] .react-flow__handle.source[data-handleid='{port}']").BoundingBoxAsync();
        var target = await page.Locator($".react-flow__node[data-id='{to}'] .react-flow__handle.target").First.BoundingBoxAsync();
        Assert.NotNull(source);
        Assert.NotNull(target);
        await page.Mouse.MoveAsync(source.X + (source.Width / 2), source.Y + (source.Height / 2));
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(target.X + (target.Width / 2), target.Y + (target.Height / 2), new() { Steps = 12 });
        await page.Mouse.UpAsync();
    }
}
