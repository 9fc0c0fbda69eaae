using System.Text.Json;

namespace CloudController.LoadTest;

/// <summary>The response shapes the tool insists on: a response that lacks them counts as an error.</summary>
internal static class Shapes
{
    public static bool HasString(JsonElement json, string property) =>
        json.ValueKind == JsonValueKind.Object && json.TryGetProperty(property, out var value)
        && value.ValueKind == JsonValueKind.String && value.GetString()!.Length > 0;

    /// <summary>A v2 resource: <c>metadata.guid</c>, <c>metadata.url</c> and an <c>entity</c> object.</summary>
    public static bool V2Resource(JsonElement json) =>
        json.ValueKind == JsonValueKind.Object
        && json.TryGetProperty("metadata", out var metadata) && HasString(metadata, "guid") && HasString(metadata, "url")
        && json.TryGetProperty("entity", out var entity) && entity.ValueKind == JsonValueKind.Object;

    public static Func<JsonElement, bool> V2App(string name) => json =>
        V2Resource(json) && json.GetProperty("entity").TryGetProperty("name", out var n) && n.GetString() == name
        && HasString(json.GetProperty("entity"), "state") && HasString(json.GetProperty("entity"), "package_state");

    public static bool V2Job(JsonElement json) =>
        V2Resource(json) && json.GetProperty("entity").TryGetProperty("status", out var status)
        && status.GetString() is "queued" or "running" or "finished" or "failed";

    /// <summary>A v3 resource: <c>guid</c>, <c>created_at</c> and its links (<c>_links</c> in the seed-era v3 this server speaks, <c>links</c> later).</summary>
    public static bool V3Resource(JsonElement json) =>
        HasString(json, "guid") && HasString(json, "created_at")
        && (json.TryGetProperty("_links", out var links) || json.TryGetProperty("links", out links)) && links.ValueKind == JsonValueKind.Object;

    public static bool V3App(JsonElement json) => V3Resource(json) && HasString(json, "name") && HasString(json, "desired_state");

    public static bool V3Package(JsonElement json) => V3Resource(json) && HasString(json, "state") && HasString(json, "type");

    public static bool ResourceList(JsonElement json) => json.ValueKind == JsonValueKind.Array;

    /// <summary>What a synchronous <c>PUT /v2/apps/:guid/bits</c> answers with its 201: an empty object, as CF does.</summary>
    public static bool EmptyObject(JsonElement json) => json.ValueKind == JsonValueKind.Object && !json.EnumerateObject().Any();

    /// <summary>The CF error code of a v2 (<c>error_code</c>) or v3 (<c>errors[0].title</c>) error body, or "".</summary>
    public static string ErrorCode(JsonElement? json)
    {
        if (json is not { ValueKind: JsonValueKind.Object } value)
        {
            return "";
        }

        if (value.TryGetProperty("error_code", out var code) && code.ValueKind == JsonValueKind.String)
        {
            return code.GetString()!;
        }

        return value.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0
            && errors[0].TryGetProperty("title", out var title) ? title.GetString() ?? "" : "";
    }

    public static string Guid(JsonElement json) =>
        json.TryGetProperty("metadata", out var metadata) ? metadata.GetProperty("guid").GetString()! : json.GetProperty("guid").GetString()!;

    public static string State(JsonElement v2) => v2.GetProperty("entity").GetProperty("package_state").GetString()!;
}
