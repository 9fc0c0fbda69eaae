using System.Collections.Immutable;
using CloudController.GrainInterfaces.Indexes;

namespace CloudController.Grains.Indexes;

/// <summary>
/// The entries of one index in memory, kept so that every change costs O(log n) and a page costs O(log n + page):
/// order-statistic trees (<see cref="ImmutableSortedSet{T}"/> indexes by position in O(log n)) in id and name order,
/// one per tag in id order, and hash maps by guid and by name. Pure.
/// </summary>
public sealed class IndexTable
{
    private readonly Dictionary<Guid, IndexEntry> _byGuid = [];

    // Case-insensitive, as CF's database collation compares names; usually one guid per name.
    private readonly Dictionary<string, List<Guid>> _byName = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, ImmutableSortedSet<IndexEntry>> _byTag = new(StringComparer.Ordinal);
    private ImmutableSortedSet<IndexEntry> _inIdOrder = ImmutableSortedSet.Create(IndexOrdering.ById);
    private ImmutableSortedSet<IndexEntry> _inNameOrder = ImmutableSortedSet.Create(IndexOrdering.ByName);

    public int Count => _byGuid.Count;

    /// <summary>All entries in id (creation) order.</summary>
    public IEnumerable<IndexEntry> Entries => _inIdOrder;

    public IndexEntry? Find(Guid guid) => _byGuid.GetValueOrDefault(guid);

    /// <summary>A guid other than <paramref name="guid"/> holding <paramref name="name"/> (case-insensitively), if any.</summary>
    public Guid? HolderOf(string name, Guid guid) =>
        _byName.TryGetValue(name, out var holders) && holders.FirstOrDefault(h => h != guid) is var other && other != Guid.Empty
            ? other
            : null;

    /// <summary>Adds or replaces the entry with this guid.</summary>
    public void Put(IndexEntry entry)
    {
        var tags = entry.TagsOrEmpty;
        if (tags.Select(TagKind).Distinct(StringComparer.Ordinal).Count() != tags.Length)
        {
            // Tags of one kind are alternatives in a query; an entry with two would be counted twice.
            throw new ArgumentException($"Entry {entry.Guid} carries two tags of one kind: {string.Join(", ", tags)}", nameof(entry));
        }

        Remove(entry.Guid);
        entry = entry with { Tags = tags };
        _byGuid[entry.Guid] = entry;
        _inIdOrder = _inIdOrder.Add(entry);
        _inNameOrder = _inNameOrder.Add(entry);
        if (!_byName.TryGetValue(entry.Name, out var holders))
        {
            _byName[entry.Name] = holders = [];
        }

        holders.Add(entry.Guid);
        foreach (var held in entry.HeldOrEmpty.Distinct(StringComparer.OrdinalIgnoreCase).Where(h => !string.Equals(h, entry.Name, StringComparison.OrdinalIgnoreCase)))
        {
            if (!_byName.TryGetValue(held, out var heldBy))
            {
                _byName[held] = heldBy = [];
            }

            heldBy.Add(entry.Guid);
        }

        foreach (var tag in tags)
        {
            _byTag[tag] = _byTag.GetValueOrDefault(tag, ImmutableSortedSet.Create(IndexOrdering.ById)).Add(entry);
        }
    }

    public bool Remove(Guid guid)
    {
        if (!_byGuid.Remove(guid, out var old))
        {
            return false;
        }

        _inIdOrder = _inIdOrder.Remove(old);
        _inNameOrder = _inNameOrder.Remove(old);
        foreach (var name in old.HeldOrEmpty.Prepend(old.Name).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var holders = _byName[name];
            holders.Remove(guid);
            if (holders.Count == 0)
            {
                _byName.Remove(name);
            }
        }

        foreach (var tag in old.TagsOrEmpty)
        {
            var rest = _byTag[tag].Remove(old);
            if (rest.IsEmpty)
            {
                _byTag.Remove(tag);
            }
            else
            {
                _byTag[tag] = rest;
            }
        }

        return true;
    }

    public IndexPage Query(IndexQuery query)
    {
        var groups = query.TagGroups.IsDefaultOrEmpty ? [] : query.TagGroups;

        // Guid or name filters name a handful of entries: look them up and sort what is left.
        if (!query.Guids.IsDefaultOrEmpty || !query.Names.IsDefaultOrEmpty)
        {
            return SortAndSlice(Named(query).Where(e => groups.All(g => Matches(e, g))), query);
        }

        if (groups.IsEmpty)
        {
            return Slice(query.OrderBy == IndexOrder.Name ? _inNameOrder : _inIdOrder, query);
        }

        // The most selective group drives; any other group filters what it yields.
        var sets = groups
            .Select(g => g.Distinct(StringComparer.Ordinal).Select(t => _byTag.GetValueOrDefault(t)).OfType<ImmutableSortedSet<IndexEntry>>().ToList())
            .ToList();
        var driver = Enumerable.Range(0, groups.Length).MinBy(i => sets[i].Sum(s => s.Count));
        if (groups.Length == 1 && query.OrderBy == IndexOrder.Id)
        {
            return SortedUnion.Page(sets[driver], query);
        }

        var others = groups.Where((_, i) => i != driver).ToList();
        return SortAndSlice(sets[driver].SelectMany(s => s).Where(e => others.All(g => Matches(e, g))), query);
    }

    private IEnumerable<IndexEntry> Named(IndexQuery query)
    {
        IEnumerable<IndexEntry> found = query.Guids.IsDefaultOrEmpty
            ? query.Names.Distinct(StringComparer.OrdinalIgnoreCase)
                .SelectMany(n => _byName.TryGetValue(n, out var holders) ? holders : [])
                .Select(g => _byGuid[g])
            : query.Guids.Distinct().Select(Find).OfType<IndexEntry>();
        if (!query.Names.IsDefaultOrEmpty)
        {
            // Names match regardless of case, as CC's name columns do (an org created as "Demo" is found as "demo").
            var names = query.Names.ToHashSet(StringComparer.OrdinalIgnoreCase);
            found = found.Where(e => names.Contains(e.Name));
        }

        return found.DistinctBy(e => e.Guid);
    }

    private static bool Matches(IndexEntry entry, ImmutableArray<string> group) => entry.TagsOrEmpty.Any(group.Contains);

    private static string TagKind(string tag) => tag.IndexOf(':') is var colon and >= 0 ? tag[..colon] : tag;

    private static IndexPage SortAndSlice(IEnumerable<IndexEntry> entries, IndexQuery query)
    {
        var sorted = entries.ToList();
        sorted.Sort(IndexOrdering.For(query.OrderBy, query.Descending));
        var page = query.Skip >= sorted.Count ? [] : sorted.Skip((int)query.Skip).Take(query.PerPage).ToImmutableArray();
        return new IndexPage(sorted.Count, page);
    }

    private static IndexPage Slice(ImmutableSortedSet<IndexEntry> set, IndexQuery query)
    {
        var page = ImmutableArray.CreateBuilder<IndexEntry>();
        for (var i = query.Skip; i < set.Count && page.Count < query.PerPage; i++)
        {
            page.Add(set[query.Descending ? set.Count - 1 - (int)i : (int)i]);
        }

        return new IndexPage(set.Count, page.ToImmutable());
    }
}
