using System.Collections.Immutable;
using CloudController.GrainInterfaces.Errors;

namespace CloudController.GrainInterfaces.Metadata;

/// <summary>
/// A resource's v3 <c>metadata</c>: labels (selectable) and annotations (free text), kept with the resource. The API
/// checks each key and value against CC's rules; the resource bounds how many it keeps.
/// </summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Metadata.ResourceMetadata")]
public sealed record ResourceMetadata(
    [property: Id(0)] ImmutableSortedDictionary<string, string> Labels,
    [property: Id(1)] ImmutableSortedDictionary<string, string> Annotations)
{
    /// <summary>At most this many labels, and this many annotations, per resource.</summary>
    public const int MaxEntries = 50;

    public static ResourceMetadata Empty { get; } = new(ImmutableSortedDictionary<string, string>.Empty, ImmutableSortedDictionary<string, string>.Empty);

    /// <summary>This metadata with <paramref name="patch"/> applied (a null value removes its key); raises UnprocessableEntity past the bounds.</summary>
    public ResourceMetadata Apply(MetadataPatch? patch)
    {
        if (patch is null)
        {
            return this;
        }

        var next = new ResourceMetadata(Merge(Labels, patch.Labels), Merge(Annotations, patch.Annotations));
        return next.Labels.Count > MaxEntries || next.Annotations.Count > MaxEntries
            ? throw CloudControllerException.Unprocessable($"Metadata may hold at most {MaxEntries} labels and {MaxEntries} annotations.")
            : next;
    }

    private static ImmutableSortedDictionary<string, string> Merge(ImmutableSortedDictionary<string, string> current, ImmutableDictionary<string, string?>? changes)
    {
        if (changes is null)
        {
            return current;
        }

        var builder = current.ToBuilder();
        foreach (var (key, value) in changes)
        {
            if (value is null)
            {
                builder.Remove(key);
            }
            else
            {
                builder[key] = value;
            }
        }

        return builder.ToImmutable();
    }
}

/// <summary>A change to metadata, as a v3 PATCH (or a create) sends it: a null value removes its key.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Metadata.MetadataPatch")]
public sealed record MetadataPatch(
    [property: Id(0)] ImmutableDictionary<string, string?>? Labels,
    [property: Id(1)] ImmutableDictionary<string, string?>? Annotations);
