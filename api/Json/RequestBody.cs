using System.Text.Json;
using System.Text.Json.Serialization;

namespace CloudController.Api.Json;

/// <summary>
/// A request body bound into a typed record. The record names CF's JSON fields (snake_case) as nullable members and
/// checks itself in <see cref="IRequestBody.Validate"/>: what is missing or out of range is reported there, in the
/// v2 or v3 way (<see cref="JsonFieldErrors"/>), and the endpoint then turns the record into a grain command in the
/// grain's own terms.
/// </summary>
internal interface IRequestBody
{
    void Validate(JsonFieldErrors errors);
}

internal static class RequestBody
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.Strict,
        PropertyNameCaseInsensitive = false,
    };

    /// <summary>Reads and binds the body (bounded, any Content-Type); a wrong type names its field.</summary>
    public static async Task<T> ReadAsync<T>(HttpRequest request, JsonFieldErrors errors, bool emptyIsObject = false)
        where T : class, IRequestBody
    {
        var element = await JsonBody.ReadAsync(request, emptyIsObject);
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw errors.Invalid(null, "the request body must be a JSON object");
        }

        T? body;
        try
        {
            body = element.Deserialize<T>(Options);
        }
        catch (JsonException ex)
        {
            var field = ex.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : null;
            throw errors.Invalid(field, field is null ? "invalid request body" : "is of the wrong type");
        }

        body = body ?? throw errors.Invalid(null, "invalid request body");
        body.Validate(errors);
        return body;
    }

    /// <summary>The value of a required field, or the version's "missing field" error.</summary>
    public static TValue Required<TValue>(TValue? value, string field, JsonFieldErrors errors)
        where TValue : class => value ?? throw errors.Missing(field);

    public static TValue Required<TValue>(TValue? value, string field, JsonFieldErrors errors)
        where TValue : struct => value ?? throw errors.Missing(field);
}
