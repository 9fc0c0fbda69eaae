using System.Collections.Immutable;
using CloudController.GrainInterfaces.Indexes;
using CloudController.GrainInterfaces.Lists;

namespace CloudController.Grains.Lists;

/// <summary>
/// Reading pages of indexes and loading their resources. One index answers the query itself (O(log n + page));
/// several each answer their first page·per_page entries in the query's order and the merge keeps the page. The
/// page's resources load concurrently from their grains. An entry whose resource is gone, or no longer matches it
/// (renamed, moved, a claim whose store failed), is left out of the page and handed to its resource to repair
/// (<see cref="IIndexedGrain.ConfirmEntryAsync"/>, which rewrites or removes it in the resource's own turn).
/// </summary>
internal static class Pages
{
    /// <summary>The page of entries, and the index each one came from.</summary>
    public static async Task<(IndexPage Page, IReadOnlyDictionary<Guid, string> Origins)> QueryAsync(
        IGrainFactory grains, ImmutableArray<string> indexes, IndexQuery query)
    {
        var keys = indexes.IsDefault ? [] : indexes.Distinct(StringComparer.Ordinal).ToList();
        if (keys.Count == 0)
        {
            return (new IndexPage(0, []), new Dictionary<Guid, string>());
        }

        if (keys.Count == 1)
        {
            var one = await grains.GetGrain<IResourceIndexGrain>(keys[0]).QueryAsync(query);
            var single = new Dictionary<Guid, string>();
            foreach (var entry in one.Entries)
            {
                single.TryAdd(entry.Guid, keys[0]);
            }

            return (one, single);
        }

        var window = query with { Page = 1, PerPage = (int)Math.Min(int.MaxValue, query.Skip + query.PerPage) };
        var pages = await Task.WhenAll(keys.Select(async k => (Key: k, Page: await grains.GetGrain<IResourceIndexGrain>(k).QueryAsync(window))));
        var page = pages.SelectMany(p => p.Page.Entries)
            .Order(IndexOrdering.For(query.OrderBy, query.Descending))
            .Skip((int)Math.Min(int.MaxValue, query.Skip))
            .Take(query.PerPage)
            .ToImmutableArray();
        var origins = new Dictionary<Guid, string>();
        foreach (var (key, found) in pages)
        {
            foreach (var entry in found.Entries)
            {
                origins.TryAdd(entry.Guid, key);
            }
        }

        return (new IndexPage(pages.Sum(p => p.Page.TotalResults), page), origins);
    }

    /// <summary>
    /// A page of resources. With <paramref name="byUpdatedAt"/>, which no index keeps (update time changes on every
    /// write), every match is loaded and sorted: O(matches) grain calls.
    /// </summary>
    public static async Task<ListPage<T>> LoadAsync<T, TGrain>(
        IGrainFactory grains, ImmutableArray<string> indexes, IndexQuery query, bool byUpdatedAt, Func<Guid, string?, TGrain> grainOf,
        Func<TGrain, Task<T?>> find, Func<T, DateTimeOffset> updatedAt, Func<T, (string Name, string Scope)>? identity)
        where T : class
        where TGrain : IIndexedGrain
    {
        if (!byUpdatedAt)
        {
            var (page, origins) = await QueryAsync(grains, indexes, query);
            return new ListPage<T>(page.TotalResults, await FindAllAsync(page, origins, grainOf, find, identity));
        }

        var (all, allOrigins) = await QueryAsync(grains, indexes, query with { OrderBy = IndexOrder.Id, Descending = false, Page = 1, PerPage = int.MaxValue });
        var loaded = await FindAllAsync(all, allOrigins, grainOf, find, identity);
        var ordered = query.Descending ? loaded.OrderByDescending(updatedAt) : loaded.OrderBy(updatedAt);
        return new ListPage<T>(loaded.Length, [.. ordered.Skip((int)Math.Min(int.MaxValue, query.Skip)).Take(query.PerPage)]);
    }

    /// <summary>The page's resources; entries that do not match their resource are left out and handed to it to repair.</summary>
    private static async Task<ImmutableArray<T>> FindAllAsync<T, TGrain>(
        IndexPage page, IReadOnlyDictionary<Guid, string> origins, Func<Guid, string?, TGrain> grainOf, Func<TGrain, Task<T?>> find,
        Func<T, (string Name, string Scope)>? identity)
        where T : class
        where TGrain : IIndexedGrain
    {
        var loaded = await Task.WhenAll(page.Entries.Select(async entry =>
        {
            var grain = grainOf(entry.Guid, null);
            var item = await find(grain);
            if (item is not null && (identity is null || Matches(entry, identity(item))))
            {
                return item;
            }

            // Not waited for: the list answers now, the resource repairs its entry in its own turn.
            _ = grain.ConfirmEntryAsync(origins[entry.Guid]);
            return null;
        }));
        return [.. loaded.OfType<T>()];
    }

    private static bool Matches(IndexEntry entry, (string Name, string Scope) identity) =>
        string.Equals(entry.Name, identity.Name, StringComparison.Ordinal) && string.Equals(entry.Scope, identity.Scope, StringComparison.Ordinal);
}
