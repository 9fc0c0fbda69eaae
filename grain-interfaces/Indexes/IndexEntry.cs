using System.Collections.Immutable;

namespace CloudController.GrainInterfaces.Indexes;

/// <summary>
/// What an index keeps of a resource: enough to filter, order and page without the resource's grain. Only fields
/// that lists filter or order by belong here; a write that changes none of them does not touch the index.
/// <see cref="Tags"/> are filterable values such as <c>state:READY</c> or <c>package:&lt;guid&gt;</c>.
/// </summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Indexes.IndexEntry")]
public sealed record IndexEntry(Guid Guid, string Name, string Scope, DateTimeOffset CreatedAt, ImmutableArray<string> Tags)
{
    /// <summary>Whether <paramref name="other"/> differs from this entry in anything an index stores.</summary>
    public bool SameAs(IndexEntry? other) =>
        other is not null && other.Guid == Guid && other.Name == Name && other.Scope == Scope && other.CreatedAt == CreatedAt
        && TagsOrEmpty.SequenceEqual(other.TagsOrEmpty);

    /// <summary>The tags, empty rather than default for entries stored before tags existed.</summary>
    public ImmutableArray<string> TagsOrEmpty => Tags.IsDefault ? [] : Tags;

    public static string Tag(string kind, string value) => $"{kind}:{value}";
}
