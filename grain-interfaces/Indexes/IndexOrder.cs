namespace CloudController.GrainInterfaces.Indexes;

/// <summary>
/// Sort keys an index pages by. <see cref="Id"/> is creation order (created_at, then guid), CF's default and its
/// <c>created_at</c> order. Update time is deliberately not indexed: it changes on every write.
/// </summary>
public enum IndexOrder { Id, Name }

/// <summary>The one ordering of entries that index grains and the merge of several indexes agree on.</summary>
public static class IndexOrdering
{
    public static readonly IComparer<IndexEntry> ById = Comparer<IndexEntry>.Create(CompareById);

    public static readonly IComparer<IndexEntry> ByName = Comparer<IndexEntry>.Create((a, b) =>
    {
        var c = string.CompareOrdinal(a.Name, b.Name);
        return c != 0 ? c : CompareById(a, b);
    });

    public static IComparer<IndexEntry> For(IndexOrder order, bool descending)
    {
        var ascending = order == IndexOrder.Name ? ByName : ById;
        return descending ? Comparer<IndexEntry>.Create((a, b) => ascending.Compare(b, a)) : ascending;
    }

    private static int CompareById(IndexEntry a, IndexEntry b)
    {
        var c = a.CreatedAt.CompareTo(b.CreatedAt);
        return c != 0 ? c : a.Guid.CompareTo(b.Guid);
    }
}
