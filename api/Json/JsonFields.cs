using System.Text.Json;

namespace CloudController.Api.Json;

/// <summary>Typed access to a JSON object's fields with CF-shaped errors for missing or mistyped values.</summary>
internal readonly struct JsonFields(JsonElement root, JsonFieldErrors errors)
{
    public JsonElement Root => root;

    public string RequiredString(string name) =>
        OptionalString(name) ?? throw errors.Missing(name);

    public string? OptionalString(string name) => Get(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } v => v.GetString(),
        _ => throw errors.Invalid(name, "must be a string"),
    };

    public bool? OptionalBool(string name) => Get(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => throw errors.Invalid(name, "must be a boolean"),
    };

    public int? OptionalInt(string name) => Get(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Number } v when v.TryGetInt32(out var i) => i,
        _ => throw errors.Invalid(name, "must be an integer"),
    };

    /// <summary>A guid field; a value that is not a guid is reported through <paramref name="notFound"/> (it can name nothing).</summary>
    public Guid? OptionalGuid(string name, Func<string, Exception> notFound)
    {
        var text = OptionalString(name);
        return text is null ? null : Endpoints.RouteGuid.TryParse(text, out var guid) ? guid : throw notFound(text);
    }

    public Guid RequiredGuid(string name, Func<string, Exception> notFound) =>
        OptionalGuid(name, notFound) ?? throw errors.Missing(name);

    /// <summary>Rejects fields outside the allowed set (v3 rejects unknown keys).</summary>
    public void AllowOnly(params string[] allowed)
    {
        var unknown = root.EnumerateObject().Select(p => p.Name).Where(n => !allowed.Contains(n, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
        {
            throw errors.Invalid(null, $"Unknown field(s): '{string.Join("', '", unknown)}'");
        }
    }

    private JsonElement? Get(string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;
}
