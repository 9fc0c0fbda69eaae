using System.Collections.Immutable;

namespace CloudController.GrainInterfaces.Indexes;

/// <summary>Filters (each empty = no filter; values within one filter are alternatives), order and page (1-based).</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Indexes.IndexQuery")]
public sealed record IndexQuery(
    ImmutableArray<string> Names,
    ImmutableArray<Guid> Guids,
    ImmutableArray<string> Scopes,
    IndexOrder OrderBy,
    bool Descending,
    int Page,
    int PerPage)
{
    public static IndexQuery All(int page, int perPage) =>
        new([], [], [], IndexOrder.Id, false, page, perPage);
}
