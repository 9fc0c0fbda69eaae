using System.Text.Json;

namespace CloudController.Api.Json;

/// <summary>The one place JSON wire settings live: snake_case names, CF timestamps, nulls written.</summary>
internal static class CfJson
{
    /// <summary>
    /// Complete and read-only before any request: options completed lazily by the first serializations can answer
    /// "read-only or has already been used" to concurrent first requests.
    /// </summary>
    public static readonly JsonSerializerOptions Options = Frozen();

    private static JsonSerializerOptions Frozen()
    {
        var options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.Converters.Add(new CfTimestampConverter());
        return options;
    }
}
