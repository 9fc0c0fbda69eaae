using System.Collections.Immutable;
using CloudController.GrainInterfaces.Indexes;

namespace CloudController.Grains.Indexes;

/// <summary>Persisted form of an index: its entries in creation order. Ids are permanent.</summary>
[GenerateSerializer, Alias("CloudController.Grains.Indexes.ResourceIndexGrainState")]
public sealed record ResourceIndexGrainState
{
    [Id(0)] public ImmutableList<IndexEntry> Entries { get; init; } = [];
}
