namespace CloudController.Api.Resources;

/// <summary>v3 <c>metadata</c> (labels and annotations; not stored yet, always empty).</summary>
internal sealed record V3Metadata(IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations)
{
    public static V3Metadata Empty { get; } = new(new Dictionary<string, string>(), new Dictionary<string, string>());
}

/// <summary>A v3 to-one relationship: <c>{"data": {"guid": ...}}</c> (data null when unset).</summary>
internal sealed record ToOne(GuidRef? Data);

internal sealed record GuidRef(Guid Guid);
