using System.Collections.Immutable;

namespace CloudController.GrainInterfaces.Indexes;

/// <summary>
/// Filters, order and page (1-based) over one index. Each filter left empty means no filter; values within a
/// filter are alternatives. <see cref="TagGroups"/> must all hold: an entry matches a group when it carries one of
/// the group's tags (states=A,B and types=bits are two groups).
/// </summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Indexes.IndexQuery")]
public sealed record IndexQuery(
    ImmutableArray<string> Names,
    ImmutableArray<Guid> Guids,
    ImmutableArray<ImmutableArray<string>> TagGroups,
    IndexOrder OrderBy,
    bool Descending,
    int Page,
    int PerPage)
{
    public static IndexQuery All(int page, int perPage) => new([], [], [], IndexOrder.Id, false, page, perPage);

    /// <summary>Entries skipped before this page; saturates instead of overflowing.</summary>
    public long Skip => (long)(Math.Max(Page, 1) - 1) * PerPage;
}
