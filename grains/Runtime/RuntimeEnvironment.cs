using System.Text.Json;

namespace CloudController.Grains.Runtime;

/// <summary>An app's <c>environment_json</c> as the variables a runtime sets (strings as they are, other values as JSON).</summary>
public static class RuntimeEnvironment
{
    public static IReadOnlyDictionary<string, string> Of(string environmentJson)
    {
        using var document = JsonDocument.Parse(string.IsNullOrEmpty(environmentJson) ? "{}" : environmentJson);
        return document.RootElement.ValueKind != JsonValueKind.Object
            ? new Dictionary<string, string>()
            : document.RootElement.EnumerateObject().ToDictionary(
                p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText());
    }
}
