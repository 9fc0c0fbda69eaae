using System.Text.Json;

namespace CloudController.Api.Json;

/// <summary>The one place JSON wire settings live: snake_case names, CF timestamps, nulls written.</summary>
internal static class CfJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.Converters.Add(new CfTimestampConverter());
        return options;
    }
}
