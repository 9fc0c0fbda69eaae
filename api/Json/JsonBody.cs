using System.Text.Json;
using CloudController.GrainInterfaces.Errors;

namespace CloudController.Api.Json;

/// <summary>
/// Reads a JSON request body the way CF does: whatever the Content-Type, bounded in size, with parse failures
/// reported as MessageParseError (1001).
/// </summary>
internal static class JsonBody
{
    /// <summary>CF's front proxy limit for everything but bits uploads (<c>client_max_body_size</c> 15M).</summary>
    public const long MaxBytes = 15 * 1024 * 1024;

    public static async Task<JsonElement> ReadAsync(HttpRequest request, bool emptyIsObject = false, long maxBytes = MaxBytes)
    {
        if (request.ContentLength > maxBytes)
        {
            throw CloudControllerException.MessageParse("request body too large");
        }

        using var buffer = new MemoryStream();
        await CopyBoundedAsync(request.Body, buffer, maxBytes, request.HttpContext.RequestAborted);
        if (buffer.Length == 0)
        {
            return emptyIsObject ? JsonDocument.Parse("{}").RootElement.Clone() : throw CloudControllerException.MessageParse("invalid request body");
        }

        try
        {
            using var document = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
            EnsureText(document.RootElement);
            return document.RootElement.Clone();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw CloudControllerException.MessageParse("invalid request body");
        }
    }

    /// <summary>
    /// Reads every string and property name once, so that text the parser let through but cannot decode (invalid UTF-8,
    /// a lone surrogate escape) is a parse error here rather than a failure wherever a field is read later.
    /// </summary>
    private static void EnsureText(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                _ = element.GetString();
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    _ = property.Name;
                    EnsureText(property.Value);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    EnsureText(item);
                }

                break;
        }
    }

    /// <summary>Reads the body as a JSON object (v2 semantics: anything else is a parse error).</summary>
    public static async Task<JsonFields> ReadObjectAsync(HttpRequest request, JsonFieldErrors errors, bool emptyIsObject = false)
    {
        var root = await ReadAsync(request, emptyIsObject);
        return root.ValueKind == JsonValueKind.Object
            ? new JsonFields(root, errors)
            : throw errors.Invalid(null, "request body must be a JSON object");
    }

    private static async Task CopyBoundedAsync(Stream source, Stream destination, long maxBytes, CancellationToken cancellationToken)
    {
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await source.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (destination.Length + read > maxBytes)
            {
                throw CloudControllerException.MessageParse("request body too large");
            }

            await destination.WriteAsync(chunk.AsMemory(0, read), cancellationToken);
        }
    }
}
