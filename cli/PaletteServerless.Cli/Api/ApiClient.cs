using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PaletteServerless.Cli.Api;

/// <summary>
/// The public HTTP API, and nothing else: JSON in and out, problem details turned into
/// <see cref="ApiException"/>, an unreachable endpoint into exit code 3 naming the endpoint.
/// </summary>
public sealed class ApiClient(Uri endpoint, string? token) : IDisposable
{
    private readonly HttpClient http = new() { BaseAddress = endpoint, Timeout = TimeSpan.FromSeconds(100) };

    public Uri Endpoint => endpoint;

    public Task<JsonNode> GetAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Get, path, null, ct);

    public Task<JsonNode> PostAsync(string path, string? json, CancellationToken ct) => SendAsync(HttpMethod.Post, path, json, ct);

    public Task<JsonNode> DeleteAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Delete, path, null, ct);

    /// <summary>Every item of a paged list route, following nextCursor to the last page.</summary>
    public async Task<List<JsonNode>> ListAsync(string path, CancellationToken ct)
    {
        var items = new List<JsonNode>();
        string? cursor = null;
        do
        {
            var separator = path.Contains('?') ? '&' : '?';
            var page = await GetAsync(cursor is null ? path : $"{path}{separator}cursor={Uri.EscapeDataString(cursor)}", ct);
            items.AddRange(page["items"]?.AsArray().Where(i => i is not null).Select(i => i!) ?? []);
            cursor = page["nextCursor"]?.GetValue<string>();
        }
        while (cursor is not null);
        return items;
    }

    public async Task<JsonNode> SendAsync(HttpMethod method, string path, string? json, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (json is not null)
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        HttpResponseMessage response;
        string body;
        try
        {
            response = await http.SendAsync(request, ct);
            body = await response.Content.ReadAsStringAsync(ct);
        }
        catch (HttpRequestException ex)
        {
            throw new CliException(ExitCodes.Connection, $"cannot reach the API at {endpoint}: {ex.Message}");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.Connection, $"the API at {endpoint} did not answer within {http.Timeout.TotalSeconds:0} s");
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
                throw ApiException.From(response.StatusCode, body, endpoint, path);
            if (response.StatusCode == HttpStatusCode.NoContent || body.Length == 0)
                return new JsonObject();
            try
            {
                return JsonNode.Parse(body) ?? new JsonObject();
            }
            catch (JsonException)
            {
                throw new CliException(ExitCodes.Connection, $"{endpoint} answered {path} with something that is not JSON: is it the PaletteServerless API?");
            }
        }
    }

    public void Dispose() => http.Dispose();
}

/// <summary>An RFC 9457 problem from the API: its title and detail, and one "field: message" line per broken rule.</summary>
public sealed class ApiException(int status, string message, IReadOnlyList<string> details) : CliException(ExitCodes.ApiError, message, details)
{
    public int Status { get; } = status;

    public static ApiException From(HttpStatusCode status, string body, Uri endpoint, string path)
    {
        JsonObject? problem = null;
        try
        {
            problem = JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            // Not problem details (a proxy's page, say): the status line says enough.
        }
        var code = (int)status;
        var title = Text(problem, "title") ?? status.ToString();
        var detail = Text(problem, "detail") ?? Text(problem, "message");
        var message = detail is null ? $"{code} {title}" : $"{code} {title}: {detail}";
        if (problem is null && body.Length > 0 && code >= 500)
            message += $" ({endpoint}{path.TrimStart('/')})";
        var errors = problem?["errors"] as JsonArray ?? [];
        var lines = errors.OfType<JsonObject>().Select(e => $"{Text(e, "field") ?? "(body)"}: {Text(e, "message") ?? ""}").ToList();
        return new ApiException(code, message, lines);
    }

    private static string? Text(JsonObject? node, string name) =>
        node?[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
