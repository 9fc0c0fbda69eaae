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
    /// <summary>The only top-level fields the body may hold (v3 refuses others), or null to ignore unknown ones (v2).</summary>
    static virtual IReadOnlyCollection<string>? AllowedFields => null;

    /// <summary>The error for a field whose JSON has the wrong shape, when the API has a specific one.</summary>
    static virtual Exception? ShapeError(string field) => null;

    void Validate(JsonFieldErrors errors);
}

/// <summary>The body a request's record was bound from, as JSON (what the audit trail keeps of it, censored).</summary>
internal sealed record RequestBodyFeature(JsonElement Body);

internal static class RequestBody
{
    private static readonly JsonSerializerOptions Options = ReadOnly(new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.Strict,
        PropertyNameCaseInsensitive = false,
    });

    /// <summary>Completed before first use, so concurrent first requests never race to complete it (see <see cref="CfJson.Options"/>).</summary>
    private static JsonSerializerOptions ReadOnly(JsonSerializerOptions options)
    {
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>Reads and binds the body (bounded, any Content-Type); a wrong type names its field.</summary>
    public static async Task<T> ReadAsync<T>(HttpRequest request, JsonFieldErrors errors, bool emptyIsObject = false)
        where T : class, IRequestBody
    {
        var element = await JsonBody.ReadAsync(request, emptyIsObject);
        request.HttpContext.Features.Set(new RequestBodyFeature(element));
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw errors.Invalid(null, "the request body must be a JSON object");
        }

        if (T.AllowedFields is { } allowed
            && element.EnumerateObject().Select(p => p.Name).Where(n => !allowed.Contains(n)).ToList() is { Count: > 0 } unknown)
        {
            throw errors.Invalid(null, $"Unknown field(s): '{string.Join("', '", unknown)}'");
        }

        T? body;
        try
        {
            body = element.Deserialize<T>(Options);
        }
        catch (JsonException ex)
        {
            var field = ex.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..].Split('.', '[')[0] : null;
            throw (field is null ? null : T.ShapeError(field)) ?? errors.Invalid(field, field is null ? "invalid request body" : Expected<T>(field));
        }

        body = body ?? throw errors.Invalid(null, "invalid request body");
        body.Validate(errors);
        return body;
    }

    /// <summary>Binds a nested JSON value (a v3 lifecycle's data) the same way; null when it does not fit.</summary>
    public static TValue? Bind<TValue>(JsonElement element)
        where TValue : class
    {
        try
        {
            return element.Deserialize<TValue>(Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>What a field should have been, from the record's member type: "must be a string", "must be an integer".</summary>
    private static string Expected<T>(string field)
    {
        var member = typeof(T).GetProperties().FirstOrDefault(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name) == field)?.PropertyType;
        if (member is { IsGenericType: true } && member.GetGenericTypeDefinition() == typeof(Field<>))
        {
            member = member.GetGenericArguments()[0];
        }

        member = member is null ? null : Nullable.GetUnderlyingType(member) ?? member;
        return member switch
        {
            null => "is of the wrong type",
            _ when member == typeof(string) => "must be a string",
            _ when member == typeof(bool) => "must be a boolean",
            _ when member == typeof(int) || member == typeof(long) => "must be an integer",
            _ when member == typeof(JsonElement) => "is of the wrong type",
            _ when member.IsArray => "must be an array",
            _ => "is of the wrong type",
        };
    }

    /// <summary>The value of a required field, or the version's "missing field" error.</summary>
    public static TValue Required<TValue>(TValue? value, string field, JsonFieldErrors errors)
        where TValue : class => value ?? throw errors.Missing(field);

    public static TValue Required<TValue>(TValue? value, string field, JsonFieldErrors errors)
        where TValue : struct => value ?? throw errors.Missing(field);
}

/// <summary>
/// A body field that knows whether the request named it: absent, or present (possibly as an explicit null, which
/// CF treats as "clear this setting").
/// </summary>
[JsonConverter(typeof(FieldConverterFactory))]
internal readonly record struct Field<T>(bool IsSet, T? Value)
{
    /// <summary>Named with a value other than null.</summary>
    public bool HasValue => IsSet && Value is not null;

    /// <summary>Named as null (or, for text, as the empty string).</summary>
    public bool IsCleared => IsSet && (Value is null || Value is string { Length: 0 });
}

internal sealed class FieldConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(Field<>);

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(FieldConverter<>).MakeGenericType(typeToConvert.GetGenericArguments()[0]))!;

    private sealed class FieldConverter<T> : JsonConverter<Field<T>>
    {
        public override bool HandleNull => true;

        public override Field<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                return new Field<T>(true, default);
            }

            try
            {
                return new Field<T>(true, JsonSerializer.Deserialize<T>(ref reader, options));
            }
            catch (JsonException)
            {
                // The inner read reports its own path ("$"); a bare exception lets the outer read name the field.
                throw new JsonException();
            }
        }

        public override void Write(Utf8JsonWriter writer, Field<T> value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value.Value, options);
    }
}
