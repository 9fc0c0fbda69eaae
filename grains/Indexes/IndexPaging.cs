using System.Collections.Immutable;
using CloudController.GrainInterfaces.Indexes;

namespace CloudController.Grains.Indexes;

/// <summary>Filtering, ordering and paging of index entries. Pure.</summary>
internal static class IndexPaging
{
    public static IndexPage Apply(IReadOnlyList<IndexEntry> entriesInIdOrder, IndexQuery query)
    {
        IEnumerable<IndexEntry> matching = entriesInIdOrder;
        if (!query.Names.IsDefaultOrEmpty)
        {
            var names = query.Names.ToHashSet(StringComparer.Ordinal);
            matching = matching.Where(e => names.Contains(e.Name));
        }

        if (!query.Guids.IsDefaultOrEmpty)
        {
            var guids = query.Guids.ToHashSet();
            matching = matching.Where(e => guids.Contains(e.Guid));
        }

        if (!query.Scopes.IsDefaultOrEmpty)
        {
            var scopes = query.Scopes.ToHashSet(StringComparer.OrdinalIgnoreCase);
            matching = matching.Where(e => scopes.Contains(e.Scope));
        }

        var ordered = Order(matching.ToList(), query.OrderBy, query.Descending);
        var skip = (long)(Math.Max(query.Page, 1) - 1) * query.PerPage;
        var page = skip >= ordered.Count
            ? ImmutableArray<IndexEntry>.Empty
            : ordered.Skip((int)skip).Take(query.PerPage).ToImmutableArray();
        return new IndexPage(ordered.Count, page);
    }

    private static List<IndexEntry> Order(List<IndexEntry> entries, IndexOrder orderBy, bool descending)
    {
        // List.Sort is not stable: break ties by creation order so pages never overlap.
        var position = new Dictionary<Guid, int>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            position[entries[i].Guid] = i;
        }

        Comparison<IndexEntry> byKey = orderBy switch
        {
            IndexOrder.Name => (a, b) => string.CompareOrdinal(a.Name, b.Name),
            IndexOrder.CreatedAt => (a, b) => a.CreatedAt.CompareTo(b.CreatedAt),
            IndexOrder.UpdatedAt => (a, b) => (a.UpdatedAt ?? a.CreatedAt).CompareTo(b.UpdatedAt ?? b.CreatedAt),
            _ => (_, _) => 0,
        };

        entries.Sort((a, b) =>
        {
            var c = byKey(a, b);
            if (c == 0)
            {
                c = position[a.Guid].CompareTo(position[b.Guid]);
            }

            return descending ? -c : c;
        });
        return entries;
    }
}
