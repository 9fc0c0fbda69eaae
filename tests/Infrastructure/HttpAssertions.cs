using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CloudController.Tests.Infrastructure;

/// <summary>Assertions on CF responses: status, error envelopes, timestamps.</summary>
public static partial class HttpAssertions
{
    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Asserts the v2 error envelope: exactly code, description, error_code.</summary>
    public static async Task<JsonElement> V2ErrorAsync(this HttpResponseMessage response, HttpStatusCode status, int code, string errorCode)
    {
        var json = await response.JsonAsync(status);
        Assert.Equal(code, json.GetProperty("code").GetInt32());
        Assert.Equal(errorCode, json.GetProperty("error_code").GetString());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("description").GetString()));
        Assert.Equal(["code", "description", "error_code"], json.EnumerateObject().Select(p => p.Name).Order());
        return json;
    }

    /// <summary>Asserts the v3 error envelope: errors[0] with code, title, detail.</summary>
    public static async Task<JsonElement> V3ErrorAsync(this HttpResponseMessage response, HttpStatusCode status, int code, string title)
    {
        var json = await response.JsonAsync(status);
        var error = json.GetProperty("errors")[0];
        Assert.Equal(code, error.GetProperty("code").GetInt32());
        Assert.Equal(title, error.GetProperty("title").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("detail").GetString()));
        return error;
    }

    public static void IsCfTimestamp(JsonElement value) =>
        Assert.Matches(Timestamp(), value.GetString() ?? "");

    public static StringContent Json(object body) =>
        new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    public static StringContent Raw(string body) => new(body, Encoding.UTF8, "application/json");

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient http, string url, object body) => http.PostAsync(url, Json(body));

    public static Task<HttpResponseMessage> PutJsonAsync(this HttpClient http, string url, object body) => http.PutAsync(url, Json(body));

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")]
    private static partial Regex Timestamp();
}
