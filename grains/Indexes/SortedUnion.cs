using System.Collections.Immutable;
using CloudController.GrainInterfaces.Indexes;

namespace CloudController.Grains.Indexes;

/// <summary>
/// Pages the union of k disjoint sets in id order without walking it: the entry at the page's first rank is found
/// by binary search over each set (O(k² log² n)), then k cursors merge one page forward or backward (O(k·page)).
/// </summary>
internal static class SortedUnion
{
    public static IndexPage Page(IReadOnlyList<ImmutableSortedSet<IndexEntry>> sets, IndexQuery query)
    {
        var total = sets.Sum(s => (long)s.Count);
        if (query.Skip >= total)
        {
            return new IndexPage((int)total, []);
        }

        var comparer = IndexOrdering.ById;
        var rank = query.Descending ? total - 1 - query.Skip : query.Skip;
        var (at, first) = EntryOfRank(sets, rank);
        var page = ImmutableArray.CreateBuilder<IndexEntry>((int)Math.Min(query.PerPage, total - query.Skip));
        var cursors = new int[sets.Count];
        for (var i = 0; i < sets.Count; i++)
        {
            // Ascending: each set's first entry not below the start; descending: its last entry not above it.
            cursors[i] = query.Descending ? LessThan(sets[i], first) + (i == at ? 1 : 0) - 1 : LessThan(sets[i], first);
        }

        while (page.Count < query.PerPage)
        {
            var best = -1;
            for (var i = 0; i < sets.Count; i++)
            {
                if (cursors[i] < 0 || cursors[i] >= sets[i].Count)
                {
                    continue;
                }

                if (best < 0 || (comparer.Compare(sets[i][cursors[i]], sets[best][cursors[best]]) < 0) != query.Descending)
                {
                    best = i;
                }
            }

            if (best < 0)
            {
                break;
            }

            page.Add(sets[best][cursors[best]]);
            cursors[best] += query.Descending ? -1 : 1;
        }

        return new IndexPage((int)total, page.ToImmutable());
    }

    /// <summary>The set holding the entry with <paramref name="rank"/> entries of the union below it, and that entry.</summary>
    private static (int Set, IndexEntry Entry) EntryOfRank(IReadOnlyList<ImmutableSortedSet<IndexEntry>> sets, long rank)
    {
        for (var j = 0; j < sets.Count; j++)
        {
            var (low, high) = (0, sets[j].Count - 1);
            while (low <= high)
            {
                var middle = low + ((high - low) / 2);
                var candidate = sets[j][middle];
                var below = sets.Sum(s => (long)LessThan(s, candidate));
                if (below == rank)
                {
                    return (j, candidate);
                }

                if (below < rank)
                {
                    low = middle + 1;
                }
                else
                {
                    high = middle - 1;
                }
            }
        }

        throw new InvalidOperationException($"No entry of rank {rank} in sets that should hold it; are they disjoint?");
    }

    private static int LessThan(ImmutableSortedSet<IndexEntry> set, IndexEntry entry)
    {
        var at = set.IndexOf(entry);
        return at >= 0 ? at : ~at;
    }
}
