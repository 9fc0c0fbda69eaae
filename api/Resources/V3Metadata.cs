using System.Text.Json;
using System.Text.RegularExpressions;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Metadata;

namespace CloudController.Api.Resources;

/// <summary>v3 <c>metadata</c>: the resource's labels and annotations (both always present, as objects).</summary>
internal sealed record V3Metadata(IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations)
{
    public static V3Metadata Empty { get; } = new(new Dictionary<string, string>(), new Dictionary<string, string>());

    public static V3Metadata From(ResourceMetadata? metadata) =>
        metadata is null ? Empty : new(metadata.Labels, metadata.Annotations);
}

/// <summary>
/// Reads a request's <c>metadata</c> (create or PATCH): labels and annotations whose keys are <c>[prefix/]name</c>
/// (name at most 63 characters of letters, digits, <c>-_.</c>, starting and ending alphanumeric; prefix a DNS name
/// of at most 253, not <c>cloudfoundry.org</c>), label values at most 63 such characters or empty, annotation values
/// at most 5,000 characters; a null value removes its key. Anything else is 422, as CC answers.
/// </summary>
internal static partial class MetadataRequest
{
    private const int MaxAnnotationValue = 5000;

    public static MetadataPatch? Read(JsonElement body)
    {
        if (!body.TryGetProperty("metadata", out var metadata) || metadata.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (metadata.ValueKind != JsonValueKind.Object)
        {
            throw CloudControllerException.Unprocessable("Metadata must be an object");
        }

        foreach (var property in metadata.EnumerateObject().Where(p => p.Name is not ("labels" or "annotations")))
        {
            throw CloudControllerException.Unprocessable($"Metadata has unexpected field(s): '{property.Name}'");
        }

        return new MetadataPatch(Entries(metadata, "labels", IsLabelValue, "label"), Entries(metadata, "annotations", v => v.Length <= MaxAnnotationValue, "annotation"));
    }

    private static System.Collections.Immutable.ImmutableDictionary<string, string?>? Entries(
        JsonElement metadata, string field, Func<string, bool> validValue, string kind)
    {
        if (!metadata.TryGetProperty(field, out var entries) || entries.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (entries.ValueKind != JsonValueKind.Object)
        {
            throw CloudControllerException.Unprocessable($"Metadata {kind}s must be an object");
        }

        var builder = System.Collections.Immutable.ImmutableDictionary.CreateBuilder<string, string?>(StringComparer.Ordinal);
        foreach (var entry in entries.EnumerateObject())
        {
            if (!IsKey(entry.Name))
            {
                throw CloudControllerException.Unprocessable($"Metadata {kind} key error: '{Shown(entry.Name)}' is not a valid key: [prefix/]name, name 1-63 alphanumeric characters, '-', '_' or '.', starting and ending alphanumeric");
            }

            string? value = entry.Value.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.String => entry.Value.GetString(),
                _ => throw CloudControllerException.Unprocessable($"Metadata {kind} value error: the value of '{entry.Name}' must be a string or null"),
            };
            if (value is not null && !validValue(value))
            {
                throw CloudControllerException.Unprocessable(kind == "label"
                    ? $"Metadata label value error: '{Shown(value)}' must be at most 63 alphanumeric characters, '-', '_' or '.', starting and ending alphanumeric, or empty"
                    : $"Metadata annotation value error: the value of '{entry.Name}' is longer than {MaxAnnotationValue} characters");
            }

            builder[entry.Name] = value;
        }

        return builder.Count > ResourceMetadata.MaxEntries
            ? throw CloudControllerException.Unprocessable($"Metadata may hold at most {ResourceMetadata.MaxEntries} {kind}s.")
            : builder.ToImmutable();
    }

    private static bool IsKey(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var (prefix, name) = slash < 0 ? (null, key) : (key[..slash], key[(slash + 1)..]);
        return Name().IsMatch(name) && name.Length <= 63
            && (prefix is null || (prefix.Length <= 253 && Prefix().IsMatch(prefix) && !prefix.Equals("cloudfoundry.org", StringComparison.OrdinalIgnoreCase)));
    }

    private static bool IsLabelValue(string value) => value.Length == 0 || (value.Length <= 63 && Name().IsMatch(value));

    /// <summary>A value as an error message quotes it: cut short, so a long value does not make a long answer.</summary>
    private static string Shown(string value) => value.Length <= 80 ? value : string.Concat(value.AsSpan(0, 80), "...");

    [GeneratedRegex("^[A-Za-z0-9]([-_.A-Za-z0-9]*[A-Za-z0-9])?$")]
    private static partial Regex Name();

    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*$")]
    private static partial Regex Prefix();
}

/// <summary>A v3 to-one relationship: <c>{"data": {"guid": ...}}</c> (data null when unset).</summary>
internal sealed record ToOne(GuidRef? Data);

internal sealed record GuidRef(Guid Guid);

/// <summary>A v3 to-many relationship: <c>{"data": [{"guid": ...}]}</c>.</summary>
internal sealed record ToMany(IReadOnlyList<GuidRef> Data);
