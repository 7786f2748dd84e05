using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Plexus.Engine.Nodes;
using Plexus.Engine.Routing;
using Plexus.Nodes.Triggers;
using Plexus.Server.Features.Executions;
using Plexus.Server.Features.Queue;
using Plexus.Server.Infrastructure;
using Plexus.Server.Infrastructure.Access;

namespace Plexus.Server.Features.Router;

/// <summary>
/// The public router: its own pipeline branch (outside <c>/api</c>) that answers <c>/p/{project}/{stage}/{route}</c> and
/// <c>{project}-{stage}.{BaseDomain}/{route}</c> by running the workflow whose <c>http.trigger</c> matches.
/// </summary>
public static partial class RouterMiddleware
{
    public const string ExecutionIdHeader = "X-Plexus-Execution-Id";
    public const string CorrelationIdHeader = "X-Correlation-Id";
    private const string PathPrefix = "/p/";

    private static readonly HashSet<string> DroppedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade",
        "authorization", "cookie", "x-api-key",
    };

    public static IServiceCollection AddPlexusRouter(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RouterOptions>().Bind(configuration.GetSection(RouterOptions.Section));
        services.AddSingleton<RouteTables>();
        services.AddSingleton<IRouteInvalidation>(sp => sp.GetRequiredService<RouteTables>());
        services.AddSingleton<RouteRateLimits>();
        if (configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() is { IsPostgres: true })
        {
            services.AddHostedService<RouteNotifications>();
        }

        return services;
    }

    /// <summary>Sends router requests (by path prefix or host) down the router branch; everything else goes on. Call before the API's auth.</summary>
    public static WebApplication UsePlexusRouter(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var suffix = "." + app.Services.GetRequiredService<IOptions<RouterOptions>>().Value.BaseDomain.TrimStart('.');
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RouterMiddleware).FullName!);
        app.MapWhen(
            context => context.Request.Path.StartsWithSegments("/p", StringComparison.Ordinal) || SubdomainOf(context.Request.Host.Host, suffix) is not null,
            branch =>
            {
                // Authentication only (who calls): authorization is per route, not the API's fallback policy.
                branch.UseAuthentication();
                branch.Run(context => HandleAsync(context, suffix, logger));
            });
        return app;
    }

    private static string? SubdomainOf(string host, string suffix) =>
        host.Length > suffix.Length && host.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) ? host[..^suffix.Length].ToLowerInvariant() : null;

    private static async Task HandleAsync(HttpContext context, string suffix, ILogger logger)
    {
        var tables = context.RequestServices.GetRequiredService<RouteTables>();
        StageRoutes? routes = null;
        string routePath;
        if (SubdomainOf(context.Request.Host.Host, suffix) is { } label)
        {
            routePath = context.Request.Path.Value ?? "/";
            // {project}-{stage}: the last '-' that names an existing project and stage wins.
            for (var dash = label.LastIndexOf('-'); dash > 0 && routes is null; dash = label.LastIndexOf('-', dash - 1))
            {
                routes = await tables.GetAsync(label[..dash], label[(dash + 1)..]).ConfigureAwait(false);
            }
        }
        else
        {
            var path = context.Request.Path.Value ?? "";
            var parts = path.Length > PathPrefix.Length ? path[PathPrefix.Length..].Split('/', 3) : [];
            routePath = parts.Length == 3 ? "/" + parts[2] : "/";
            if (parts.Length >= 2 && parts[0].Length > 0 && parts[1].Length > 0)
            {
                routes = await tables.GetAsync(parts[0], parts[1]).ConfigureAwait(false);
            }
        }

        if (routes is null)
        {
            await NoRouteAsync(context).ConfigureAwait(false);
            return;
        }

        var method = context.Request.Method;
        if (HttpMethods.IsOptions(method) && context.Request.Headers.AccessControlRequestMethod.ToString() is { Length: > 0 } requested)
        {
            var preflight = routes.Table.Match(requested.ToUpperInvariant(), routePath);
            if (preflight.Kind == RouteMatchKind.Found && AllowedOrigin(context, preflight.Entry!.Target.Settings) is { } origin)
            {
                var settings = preflight.Entry.Target.Settings;
                var headers = context.Response.Headers;
                headers.AccessControlAllowOrigin = origin;
                headers.AccessControlAllowMethods = string.Join(", ", settings.CorsMethods ?? [settings.Method]);
                if (settings.CorsHeaders is { Count: > 0 } allowed)
                {
                    headers.AccessControlAllowHeaders = string.Join(", ", allowed);
                }

                headers.AccessControlMaxAge = "600";
                headers.Vary = "Origin";
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                return;
            }
        }

        var match = routes.Table.Match(method.ToUpperInvariant(), routePath);
        if (match.Kind == RouteMatchKind.NotFound)
        {
            await NoRouteAsync(context).ConfigureAwait(false);
            return;
        }

        if (match.Kind == RouteMatchKind.MethodNotAllowed)
        {
            context.Response.Headers.Allow = match.Allow;
            await ProblemAsync(context, StatusCodes.Status405MethodNotAllowed, "method-not-allowed", "Method not allowed",
                $"the route answers {match.Allow}").ConfigureAwait(false);
            return;
        }

        await RunAsync(context, routes, match.Entry!.Target, match.Parameters(), logger).ConfigureAwait(false);
    }

    private static async Task RunAsync(HttpContext context, StageRoutes routes, RouteTarget target, JsonObject parameters, ILogger logger)
    {
        var settings = target.Settings;
        if (AllowedOrigin(context, settings) is { } origin)
        {
            context.Response.Headers.AccessControlAllowOrigin = origin;
            context.Response.Headers.Vary = "Origin";
        }

        if (!await AuthorizeAsync(context, routes, settings).ConfigureAwait(false))
        {
            return;
        }

        if (settings.PermitPerMinute is { } permits
            && await context.RequestServices.GetRequiredService<RouteRateLimits>()
                .TryAcquireAsync(target, permits, CallerKey(context, settings), context.RequestAborted).ConfigureAwait(false) is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            await ProblemAsync(context, StatusCodes.Status429TooManyRequests, "rate-limited", "Too many requests",
                $"the route allows {permits.ToString(CultureInfo.InvariantCulture)} requests per minute").ConfigureAwait(false);
            return;
        }

        var executionId = Guid.CreateVersion7();
        var correlationId = CorrelationId(context.Request.Headers[CorrelationIdHeader].ToString()) ?? executionId.ToString("n");
        context.Response.Headers[ExecutionIdHeader] = executionId.ToString();
        context.Response.Headers[CorrelationIdHeader] = correlationId;
        using var logScope = RunLogScope.Begin(logger, correlationId, executionId);

        var (body, bodyProblem) = await ReadBodyAsync(context, settings.MaxBodyBytes).ConfigureAwait(false);
        if (bodyProblem is not null)
        {
            await bodyProblem(context).ConfigureAwait(false);
            return;
        }

        var input = new JsonObject
        {
            ["method"] = context.Request.Method,
            ["path"] = context.Request.Path.Value,
            ["params"] = parameters,
            ["query"] = Query(context.Request.Query),
            ["headers"] = Headers(context.Request.Headers),
            ["body"] = body,
            ["ip"] = context.Connection.RemoteIpAddress?.ToString(),
        };
        var runner = context.RequestServices.GetRequiredService<ExecutionRunner>();
        var immediately = settings.Respond == HttpTriggerSettings.RespondImmediately;
        // The caller is answered with the first response as soon as the run decides it; the run may go on after that.
        var responded = immediately ? null : new TaskCompletionSource<HttpResponseData>(TaskCreationOptions.RunContinuationsAsynchronously);
        var start = new RunStart
        {
            Workflow = target.Workflow,
            Document = target.Document,
            Version = target.Version,
            Stage = routes.Stage,
            TriggerNodeId = target.TriggerNodeId,
            Input = input,
            CorrelationId = correlationId,
            ExecutionId = executionId,
            Values = routes.Values,
            // A 202's status URL must find the execution at once; a route answered at the run's end need not.
            RecordStartAtOnce = immediately,
            Live = routes.Stage == "dev",
            OnResponse = responded is null ? null : response => responded.TrySetResult(response),
        };
        if (immediately)
        {
            await AcceptAsync(context, start, target, logger).ConfigureAwait(false);
            return;
        }

        var outcome = await runner.StartAsync(start, context.RequestAborted).ConfigureAwait(false);
        if (outcome.Kind != ExecutionOutcomeKind.Started || outcome.Completion is not { } completion)
        {
            NotStarted(logger, context.Request.Method, target.Settings.Path, outcome.Kind, outcome.Detail ?? string.Join("; ", outcome.Problems));
            await FailedAsync(context, executionId).ConfigureAwait(false);
            return;
        }

        HttpResponseData? response;
        try
        {
            var first = await Task.WhenAny(responded!.Task, completion).WaitAsync(TimeSpan.FromMilliseconds(settings.TimeoutMs), context.RequestAborted)
                .ConfigureAwait(false);
            response = first == responded.Task ? responded.Task.Result : (await completion.ConfigureAwait(false)).Result?.Response;
        }
        catch (TimeoutException)
        {
            await ProblemAsync(context, StatusCodes.Status504GatewayTimeout, "route-timeout", "The route timed out",
                $"no response within {settings.TimeoutMs.ToString(CultureInfo.InvariantCulture)} ms; the run goes on", executionId).ConfigureAwait(false);
            return;
        }

        if (response is null)
        {
            // Without a response the run has ended (its completion is what the wait returned): its record says why.
            var ended = (await completion.ConfigureAwait(false)).Result;
            var error = ended?.Record.Error;
            NoResponse(logger, context.Request.Method, target.Settings.Path, ended?.Status ?? "without a result",
                error is null ? "no error" : error.Node is { } node ? $"{error.Message} at node '{node}'" : error.Message);
            await FailedAsync(context, executionId).ConfigureAwait(false);
            return;
        }

        await WriteResponseAsync(context, response).ConfigureAwait(false);
    }

    /// <summary>
    /// A route that answers at once (<c>respond: immediately</c>): the run goes to the durable queue before the caller
    /// gets 202 with its status URL; a full queue answers 503 with <c>Retry-After</c>.
    /// </summary>
    private static async Task AcceptAsync(HttpContext context, RunStart start, RouteTarget target, ILogger logger)
    {
        var queue = context.RequestServices.GetRequiredService<RunQueue>();
        var outcome = await queue.EnqueueAsync(start, context.RequestAborted).ConfigureAwait(false);
        if (outcome.Kind == ExecutionOutcomeKind.QueueFull)
        {
            var seconds = (int)Math.Ceiling(outcome.RetryAfter.TotalSeconds);
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            await ProblemAsync(context, StatusCodes.Status503ServiceUnavailable, "queue-full", "The run queue is full",
                $"the queue holds as many runs as it may; try again in {seconds.ToString(CultureInfo.InvariantCulture)} s").ConfigureAwait(false);
            return;
        }

        if (outcome.Kind != ExecutionOutcomeKind.Queued)
        {
            NotStarted(logger, context.Request.Method, target.Settings.Path, outcome.Kind, outcome.Detail ?? string.Join("; ", outcome.Problems));
            await FailedAsync(context, outcome.ExecutionId).ConfigureAwait(false);
            return;
        }

        var statusUrl = $"/api/v1/executions/{outcome.ExecutionId}";
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        context.Response.Headers.Location = statusUrl;
        await context.Response.WriteAsJsonAsync(new JsonObject { ["executionId"] = outcome.ExecutionId.ToString(), ["statusUrl"] = statusUrl },
            context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task<bool> AuthorizeAsync(HttpContext context, StageRoutes routes, HttpTriggerSettings settings)
    {
        if (settings.Auth == HttpTriggerSettings.AuthNone)
        {
            return true;
        }

        var access = context.RequestServices.GetRequiredService<IAccess>();
        var actor = access.Current;
        var apiKey = settings.Auth == HttpTriggerSettings.AuthApiKey;
        if (actor is null || actor.IsApiKey != apiKey)
        {
            await UnauthorizedAsync(context, apiKey ? "send an API key of the project's organisation" : "send an access token of a member").ConfigureAwait(false);
            return false;
        }

        // A key needs routes:invoke; a member any role.
        var check = await access.CheckAsync(routes.OrganizationId, apiKey ? Permission.RoutesInvoke : Permission.WorkflowsRead, context.RequestAborted)
            .ConfigureAwait(false);
        switch (check.Outcome)
        {
            case AccessOutcome.Allowed:
                return true;
            case AccessOutcome.Forbidden:
                await ProblemAsync(context, StatusCodes.Status403Forbidden, "forbidden", "Not allowed", "the API key lacks the scope routes:invoke")
                    .ConfigureAwait(false);
                return false;
            default:
                await UnauthorizedAsync(context, apiKey ? "send an API key of the project's organisation" : "send an access token of a member").ConfigureAwait(false);
                return false;
        }
    }

    private static Task UnauthorizedAsync(HttpContext context, string detail)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return ProblemAsync(context, StatusCodes.Status401Unauthorized, "unauthorized", "Not signed in", detail);
    }

    private static string CallerKey(HttpContext context, HttpTriggerSettings settings) =>
        settings.RateLimitBy == "apiKey" && context.User.FindFirst(PlexusClaims.ApiKeyId)?.Value is { } key
            ? "key:" + key
            : "ip:" + context.Connection.RemoteIpAddress;

    private static string? AllowedOrigin(HttpContext context, HttpTriggerSettings settings)
    {
        var origin = context.Request.Headers.Origin.ToString();
        if (origin.Length == 0 || settings.CorsOrigins is not { } origins)
        {
            return null;
        }

        return origins.Contains("*") ? "*" : origins.Contains(origin, StringComparer.OrdinalIgnoreCase) ? origin : null;
    }

    /// <summary>The caller's correlation id when it is well-formed (<c>^[A-Za-z0-9._-]{1,128}$</c>), else null.</summary>
    public static string? CorrelationId(string value)
    {
        if (value.Length is 0 or > 128)
        {
            return null;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return null;
            }
        }

        return value;
    }

    private static JsonObject Query(IQueryCollection query)
    {
        var result = new JsonObject();
        foreach (var (key, values) in query)
        {
            result[key] = values.Count == 1 ? JsonValue.Create(values[0]) : new JsonArray([.. values.Select(v => JsonValue.Create(v))]);
        }

        return result;
    }

    private static JsonObject Headers(IHeaderDictionary headers)
    {
        var result = new JsonObject();
        foreach (var (key, values) in headers)
        {
            if (!DroppedHeaders.Contains(key))
            {
                result[key.ToLowerInvariant()] = values.ToString();
            }
        }

        return result;
    }

    private static async Task<(JsonNode? Body, Func<HttpContext, Task>? Problem)> ReadBodyAsync(HttpContext context, long limit)
    {
        var request = context.Request;
        if (request.ContentLength > limit)
        {
            return (null, TooLarge(limit));
        }

        // A pooled buffer of the announced length (or grown while reading): bodies are parsed from it, never kept.
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(request.ContentLength ?? 4096, 1, limit + 1));
        try
        {
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > limit)
                    {
                        return (null, TooLarge(limit));
                    }

                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), context.RequestAborted).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            if (length > limit)
            {
                return (null, TooLarge(limit));
            }

            return length == 0 ? (null, null) : ParseBody(request.ContentType ?? "", buffer.AsMemory(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static (JsonNode? Body, Func<HttpContext, Task>? Problem) ParseBody(string type, ReadOnlyMemory<byte> bytes)
    {
        var semicolon = type.IndexOf(';', StringComparison.Ordinal);
        var mediaType = (semicolon < 0 ? type.AsSpan() : type.AsSpan(0, semicolon)).Trim();
        if (mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                return (JsonNode.Parse(bytes.Span), null);
            }
            catch (JsonException)
            {
                return (null, c => ProblemAsync(c, StatusCodes.Status400BadRequest, "malformed-json", "The body is not valid JSON", null));
            }
        }

        if (mediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            var form = QueryHelpers.ParseQuery(Encoding.UTF8.GetString(bytes.Span));
            var result = new JsonObject();
            foreach (var (key, values) in form)
            {
                result[key] = values.Count == 1 ? JsonValue.Create(values[0]) : new JsonArray([.. values.Select(v => JsonValue.Create(v))]);
            }

            return (result, null);
        }

        if (mediaType.StartsWith("text/", StringComparison.OrdinalIgnoreCase))
        {
            return (JsonValue.Create(Encoding.UTF8.GetString(bytes.Span)), null);
        }

        return (new JsonObject { ["contentType"] = type.Length == 0 ? "application/octet-stream" : type, ["base64"] = Convert.ToBase64String(bytes.Span) }, null);
    }

    private static Func<HttpContext, Task> TooLarge(long limit) =>
        c => ProblemAsync(c, StatusCodes.Status413PayloadTooLarge, "body-too-large", "The body is too large",
            $"the route accepts at most {limit.ToString(CultureInfo.InvariantCulture)} bytes");

    private static async Task WriteResponseAsync(HttpContext context, HttpResponseData response)
    {
        var http = context.Response;
        http.StatusCode = response.Status;
        string? contentType = null;
        foreach (var (name, value) in response.Headers)
        {
            if (string.Equals(name, "content-type", StringComparison.OrdinalIgnoreCase))
            {
                contentType = value;
            }
            else if (!string.Equals(name, "content-length", StringComparison.OrdinalIgnoreCase) && !DroppedHeaders.Contains(name))
            {
                http.Headers[name] = value;
            }
        }

        foreach (var cookie in response.Cookies)
        {
            http.Headers.Append(HeaderNames.SetCookie, cookie.ToSetCookie());
        }

        if (response.Body is null)
        {
            if (contentType is not null)
            {
                http.ContentType = contentType;
            }

            return;
        }

        byte[] bytes;
        if (response.Bytes is { } binary)
        {
            http.ContentType = contentType ?? "application/octet-stream";
            bytes = binary;
        }
        else if (response.Body is JsonValue bodyValue && bodyValue.TryGetValue<string>(out var text))
        {
            http.ContentType = contentType ?? "text/plain; charset=utf-8";
            bytes = Encoding.UTF8.GetBytes(text);
        }
        else
        {
            http.ContentType = contentType ?? "application/json; charset=utf-8";
            bytes = JsonSerializer.SerializeToUtf8Bytes(response.Body);
        }

        http.ContentLength = bytes.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await http.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <summary>Unknown project, stage or route: one answer for all three, so that nothing is learnt from it.</summary>
    private static Task NoRouteAsync(HttpContext context) =>
        ProblemAsync(context, StatusCodes.Status404NotFound, "not-found", "No route", "no route answers this request");

    private static Task FailedAsync(HttpContext context, Guid executionId) =>
        ProblemAsync(context, StatusCodes.Status500InternalServerError, "route-failed", "The route did not answer",
            "the run ended without a response; see the execution", executionId);

    private static Task ProblemAsync(HttpContext context, int status, string code, string title, string? detail, Guid? executionId = null)
    {
        var problem = new JsonObject
        {
            ["type"] = Problems.TypeBase + code,
            ["title"] = title,
            ["status"] = status,
            ["code"] = code,
        };
        if (detail is not null)
        {
            problem["detail"] = detail;
        }

        if (executionId is { } id)
        {
            problem["executionId"] = id.ToString();
        }

        context.Response.StatusCode = status;
        var bytes = JsonSerializer.SerializeToUtf8Bytes(problem);
        context.Response.ContentType = "application/problem+json";
        context.Response.ContentLength = bytes.Length;
        return context.Response.Body.WriteAsync(bytes, context.RequestAborted).AsTask();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Route {Method} {Path} answered 500: its run ended {Status} without a response ({Error})")]
    private static partial void NoResponse(ILogger logger, string method, string path, string status, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Route {Method} {Path} answered 500: its run did not start ({Outcome}: {Detail})")]
    private static partial void NotStarted(ILogger logger, string method, string path, ExecutionOutcomeKind outcome, string detail);
}
