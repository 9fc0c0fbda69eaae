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
    /// <summary>
    /// Names the resource still holds besides <see cref="Name"/> while a rename is being stored: a rename claims the
    /// new name with the old one held, and the entry written after the store holds only the new name, so neither name
    /// is free for anyone else while the outcome is unknown. Lists match <see cref="Name"/> only.
    /// </summary>
    [Id(5), System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public ImmutableArray<string> Held { get; init; }

    /// <summary>The held names, empty rather than default.</summary>
    public ImmutableArray<string> HeldOrEmpty => Held.IsDefault ? [] : Held;

    /// <summary>Whether <paramref name="other"/> differs from this entry in anything an index stores.</summary>
    public bool SameAs(IndexEntry? other) =>
        other is not null && other.Guid == Guid && other.Name == Name && other.Scope == Scope && other.CreatedAt == CreatedAt
        && TagsOrEmpty.SequenceEqual(other.TagsOrEmpty) && HeldOrEmpty.SequenceEqual(other.HeldOrEmpty);

    /// <summary>The tags, empty rather than default for entries stored before tags existed.</summary>
    public ImmutableArray<string> TagsOrEmpty => Tags.IsDefault ? [] : Tags;

    public static string Tag(string kind, string value) => $"{kind}:{value}";
}
