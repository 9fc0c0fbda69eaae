using System.Text.Json;
using CloudController.Api.Resources;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Metadata;

namespace CloudController.Api.Json;

/// <summary>
/// A v3 request body: a JSON object whose top-level fields must be among the route's (others are 422
/// <c>Unknown field(s)</c>), with typed fields, <c>relationships.&lt;name&gt;.data</c> and <c>metadata</c>.
/// </summary>
internal readonly struct V3Body(JsonElement root)
{
    public JsonElement Root => root;

    public JsonFields Fields => new(root, JsonFieldErrors.V3);

    public MetadataPatch? Metadata => MetadataRequest.Read(root);

    public bool Has(string field) => root.TryGetProperty(field, out _);

    public static async Task<V3Body> ReadAsync(HttpRequest request, params string[] allowed)
    {
        var fields = await JsonBody.ReadObjectAsync(request, JsonFieldErrors.V3, emptyIsObject: true);
        fields.AllowOnly(allowed);
        return new V3Body(fields.Root);
    }

    /// <summary>
    /// <c>relationships.&lt;name&gt;.data.guid</c>: null when the relationship is absent; <paramref name="invalid"/> when it
    /// is there but not <c>{"data":{"guid":"..."}}</c> with a guid.
    /// </summary>
    public Guid? Relationship(string name, Func<CloudControllerException> invalid)
    {
        if (Data(name) is not { } data)
        {
            return null;
        }

        return data.ValueKind == JsonValueKind.Object && data.TryGetProperty("guid", out var guid) && guid.ValueKind == JsonValueKind.String
            && Endpoints.RouteGuid.TryParse(guid.GetString()!, out var parsed)
            ? parsed
            : throw invalid();
    }

    /// <summary><c>relationships.&lt;name&gt;.data</c> as a JSON value (an object for to-one, an array for to-many), or null.</summary>
    public JsonElement? Data(string name)
    {
        if (!root.TryGetProperty("relationships", out var relationships) || relationships.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (relationships.ValueKind != JsonValueKind.Object)
        {
            throw CloudControllerException.Unprocessable("Relationships must be an object");
        }

        if (!relationships.TryGetProperty(name, out var relationship))
        {
            return null;
        }

        return relationship.ValueKind == JsonValueKind.Object && relationship.TryGetProperty("data", out var data) && data.ValueKind != JsonValueKind.Null
            ? data
            : throw CloudControllerException.Unprocessable($"Relationships {name} must be {{\"data\": ...}}");
    }

    /// <summary>The guids of a to-many relationship (<c>{"data":[{"guid":"..."}]}</c>), at most <paramref name="max"/>.</summary>
    public static IReadOnlyList<Guid> Guids(JsonElement data, int max, Func<CloudControllerException> invalid)
    {
        if (data.ValueKind != JsonValueKind.Array)
        {
            throw invalid();
        }

        if (data.GetArrayLength() > max)
        {
            throw CloudControllerException.Unprocessable($"At most {max} guids may be given at once.");
        }

        return [.. data.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("guid", out var g)
            && g.ValueKind == JsonValueKind.String && Endpoints.RouteGuid.TryParse(g.GetString()!, out var guid) ? guid : throw invalid())];
    }

    /// <summary>Rejects the fields of <paramref name="value"/> outside <paramref name="allowed"/>.</summary>
    public static void AllowOnly(JsonElement value, string where, params string[] allowed)
    {
        if (value.ValueKind == JsonValueKind.Object
            && value.EnumerateObject().Select(p => p.Name).Where(n => !allowed.Contains(n, StringComparer.Ordinal)).ToList() is { Count: > 0 } unknown)
        {
            throw CloudControllerException.Unprocessable($"{where} has unknown field(s): '{string.Join("', '", unknown)}'");
        }
    }
}

/// <summary>Resource links for relationships.</summary>
internal static class Relationships
{
    public static ToOne One(Guid? guid) => new(guid is { } g ? new GuidRef(g) : null);
}
