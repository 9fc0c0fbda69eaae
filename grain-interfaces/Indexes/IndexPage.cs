using System.Collections.Immutable;

namespace CloudController.GrainInterfaces.Indexes;

/// <summary>A page of index entries and the count of all entries matching the query.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Indexes.IndexPage")]
public sealed record IndexPage(int TotalResults, ImmutableArray<IndexEntry> Entries);
