using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace CloudController.LoadTest;

/// <summary>One failed operation: the unit of work it belonged to stops (its later steps would be meaningless).</summary>
internal sealed class OperationFailedException(string message) : Exception(message);

/// <summary>
/// Sends one request as a named operation, checks the status and the response's shape, and records the outcome: a
/// wrong status or a wrong shape is an error, never a success.
/// </summary>
internal sealed class CfClient(HttpClient http, RunStatistics stats)
{
    public HttpClient Http => http;

    /// <summary>Logs in as the cf CLI does: password grant, client <c>cf</c> with an empty secret.</summary>
    public async Task LogInAsync(string user, string password)
    {
        var token = await SendAsync("token", () => new HttpRequestMessage(HttpMethod.Post, "/oauth/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "password", ["username"] = user, ["password"] = password }),
            Headers = { Authorization = new AuthenticationHeaderValue("Basic", "Y2Y6") },
        }, HttpStatusCode.OK, json => Shapes.HasString(json, "access_token"));
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("bearer", token.GetProperty("access_token").GetString());
    }

    public Task<JsonElement> PostJsonAsync(string operation, string url, object body, HttpStatusCode expected, Func<JsonElement, bool> shape) =>
        SendAsync(operation, () => new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) }, expected, shape);

    public Task<JsonElement> PutJsonAsync(string operation, string url, object body, HttpStatusCode expected, Func<JsonElement, bool> shape) =>
        SendAsync(operation, () => new HttpRequestMessage(HttpMethod.Put, url) { Content = JsonContent.Create(body) }, expected, shape);

    public Task<JsonElement> GetAsync(string operation, string url, Func<JsonElement, bool> shape, bool keep = true) =>
        SendAsync(operation, () => new HttpRequestMessage(HttpMethod.Get, url), HttpStatusCode.OK, shape, keep);

    public Task<JsonElement> DeleteAsync(string operation, string url, HttpStatusCode expected) =>
        SendAsync(operation, () => new HttpRequestMessage(HttpMethod.Delete, url), expected, null);

    /// <summary>Records a span that is not one request (several requests timed together, e.g. start-to-running).</summary>
    public void Record(string operation, TimeSpan elapsed) => stats.For(operation).Success(elapsed.TotalMilliseconds, 0);

    /// <summary>Sends, checks status and shape; the body comes back only with <paramref name="keep"/> (copying a large one costs the client CPU the server shares).</summary>
    public async Task<JsonElement> SendAsync(
        string operation, Func<HttpRequestMessage> create, HttpStatusCode expected, Func<JsonElement, bool>? shape, bool keep = true,
        Action<HttpResponseMessage>? inspect = null)
    {
        var stats1 = stats.For(operation);
        using var request = create();
        var sent = request.Content?.Headers.ContentLength ?? 0;
        var started = Stopwatch.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            stats1.Error(ex is TaskCanceledException ? "timeout" : "connection");
            throw new OperationFailedException($"{operation}: {ex.Message}");
        }

        using (response)
        {
            var body = await response.Content.ReadAsByteArrayAsync();
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            using var document = Parse(body);
            var json = document?.RootElement;
            if (response.StatusCode != expected)
            {
                var kind = $"{(int)response.StatusCode} {Shapes.ErrorCode(json)}".TrimEnd();
                stats1.Error(kind);
                throw new OperationFailedException($"{operation}: {kind}");
            }

            if (shape is not null && (json is not { } value || !shape(value)))
            {
                stats1.Error("bad-shape");
                throw new OperationFailedException($"{operation}: unexpected response shape");
            }

            inspect?.Invoke(response);
            stats1.Success(elapsed, sent);
            return keep && json is { } kept ? kept.Clone() : default;
        }
    }

    private static JsonDocument? Parse(byte[] body)
    {
        if (body.Length == 0)
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
