using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Plexus.Cli.Remote;

/// <summary>
/// A problem the server answered (RFC 7807), or why it could not be asked. 4xx answers are bad input (exit 2);
/// 5xx answers and network failures are failures (exit 1).
/// </summary>
internal sealed class ApiException(int status, string title, string? detail, IReadOnlyList<(string Path, string Message)> errors, bool local = false)
    : Exception(detail is null ? title : $"{title}: {detail}")
{
    /// <summary>Found by the CLI from the server's answers (an unknown project), not answered with this status.</summary>
    public bool Local { get; } = local;

    /// <summary>The HTTP status, or 0 when the server could not be reached.</summary>
    public int Status { get; } = status;

    public string Title { get; } = title;

    public string? Detail { get; } = detail;

    public IReadOnlyList<(string Path, string Message)> Errors { get; } = errors;

    public int ExitCode => Status is >= 400 and < 500 ? ExitCodes.BadInput : ExitCodes.RunFailed;

    /// <summary><c>plexus: title: detail</c>, then one line per field problem.</summary>
    public async Task ReportAsync(TextWriter stderr)
    {
        var status = Status > 0 && !Local ? $" (HTTP {Status})" : "";
        await stderr.WriteLineAsync($"plexus: {Cli.OneLine(Message)}{status}").ConfigureAwait(false);
        foreach (var (path, message) in Errors)
        {
            await stderr.WriteLineAsync($"  {path}: {Cli.OneLine(message)}").ConfigureAwait(false);
        }
    }
}

/// <summary>The parts of the Plexus HTTP API that the CLI calls, with an API key (or access token) as bearer.</summary>
internal sealed class PlexusApi : IDisposable
{
    private readonly HttpClient _http;

    private PlexusApi(Uri server, string key)
    {
        Server = server;
        _http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(100) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
    }

    /// <summary>The server's base address, without a trailing slash in <see cref="BaseUrl"/>.</summary>
    public Uri Server { get; }

    public string BaseUrl => Server.ToString().TrimEnd('/');

    /// <summary>
    /// The API at <paramref name="server"/> with <paramref name="key"/> (else <c>PLEXUS_API_KEY</c>); null with the errors added
    /// when the URL is not an absolute http(s) URL or no key is given.
    /// </summary>
    public static PlexusApi? Connect(string? server, string? key, Arguments arguments)
    {
        Uri? uri = null;
        if (string.IsNullOrWhiteSpace(server))
        {
            arguments.Error("--server is required, e.g. --server http://127.0.0.1:5080");
        }
        else if (!Uri.TryCreate(server.Trim(), UriKind.Absolute, out uri) || uri.Scheme is not ("http" or "https"))
        {
            arguments.Error($"--server: expected an http(s) URL like http://127.0.0.1:5080, not \"{server}\"");
            uri = null;
        }

        key = string.IsNullOrWhiteSpace(key) ? Environment.GetEnvironmentVariable("PLEXUS_API_KEY") : key;
        if (string.IsNullOrWhiteSpace(key))
        {
            arguments.Error("no API key: pass --key plx_... or set PLEXUS_API_KEY");
        }

        if (uri is null || arguments.Failed)
        {
            return null;
        }

        var baseUri = new Uri(uri.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/");
        return new PlexusApi(baseUri, key!.Trim());
    }

    public async Task<JsonObject> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Relative(path));
        var (json, _) = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        return json;
    }

    /// <summary>A GET that also answers the ETag.</summary>
    public async Task<(JsonObject Body, string? ETag)> GetWithETagAsync(string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Relative(path));
        return await SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    public async Task<JsonObject> SendJsonAsync(HttpMethod method, string path, JsonNode? body, CancellationToken cancellationToken,
        string? ifMatch = null)
    {
        using var request = new HttpRequestMessage(method, Relative(path))
        {
            Content = new StringContent(body?.ToJsonString() ?? "{}", Encoding.UTF8, "application/json"),
        };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        var (json, _) = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        return json;
    }

    /// <summary>Every item of a paged list (<c>{ items, next }</c>), following <c>next</c>.</summary>
    public async Task<List<JsonObject>> ListAllAsync(string path, CancellationToken cancellationToken)
    {
        var items = new List<JsonObject>();
        string? cursor = null;
        do
        {
            var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
            var page = await GetAsync(cursor is null ? path : $"{path}{separator}cursor={Uri.EscapeDataString(cursor)}", cancellationToken)
                .ConfigureAwait(false);
            items.AddRange((page["items"] as JsonArray ?? []).OfType<JsonObject>());
            cursor = page["next"] is JsonValue next && next.TryGetValue<string>(out var text) ? text : null;
        }
        while (cursor is not null);

        return items;
    }

    private static Uri Relative(string path) => new(path.TrimStart('/'), UriKind.Relative);

    private async Task<(JsonObject Body, string? ETag)> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new ApiException(0, $"cannot reach {BaseUrl}", Cli.OneLine(e.Message), []);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ApiException(0, $"cannot reach {BaseUrl}", $"no answer within {_http.Timeout.TotalSeconds:0} s", []);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            JsonNode? json = null;
            if (text.Length > 0 && !Arguments.TryParse(text, out json, out _))
            {
                json = null;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw Problem(response.StatusCode, json as JsonObject, text);
            }

            return (json as JsonObject ?? [], response.Headers.ETag?.ToString());
        }
    }

    private static ApiException Problem(HttpStatusCode status, JsonObject? problem, string text)
    {
        var code = (int)status;
        var title = problem?["title"] is JsonValue t && t.TryGetValue<string>(out var s) ? s : $"the server answered {code} {status}";
        var detail = problem?["detail"] is JsonValue d && d.TryGetValue<string>(out var ds) ? ds : null;
        if (problem is null && text.Length > 0 && !text.TrimStart().StartsWith('<'))
        {
            detail = Display.Shorten(text, 200);
        }

        var errors = new List<(string, string)>();
        if (problem?["errors"] is JsonObject fields)
        {
            foreach (var (path, messages) in fields)
            {
                var list = messages as JsonArray ?? [messages];
                errors.AddRange(list.Select(m => (path, m is JsonValue v && v.TryGetValue<string>(out var ms) ? ms : Display.Json(m))));
            }
        }

        return new ApiException(code, title, detail, errors);
    }

    public void Dispose() => _http.Dispose();
}
