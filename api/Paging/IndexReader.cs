using System.Collections.Immutable;
using CloudController.Api.Endpoints;
using CloudController.GrainInterfaces.Indexes;

namespace CloudController.Api.Paging;

/// <summary>
/// Reads one or several indexes as one list. One index answers the query itself (O(log n + page)). Several (the
/// spaces of an organization, a kind's catalog partitions) each answer their first page·per_page entries in the
/// query's order and the merge keeps the page: a fixed number of grain calls, whatever the total.
/// </summary>
internal static class IndexReader
{
    public static async Task<IndexPage> QueryAsync(IGrainFactory grains, IReadOnlyCollection<string> indexes, IndexQuery query)
    {
        var keys = indexes.Distinct(StringComparer.Ordinal).ToList();
        if (keys.Count == 0)
        {
            return new IndexPage(0, []);
        }

        if (keys.Count == 1)
        {
            return await grains.GetGrain<IResourceIndexGrain>(keys[0]).QueryAsync(query);
        }

        var window = query with { Page = 1, PerPage = (int)Math.Min(int.MaxValue, query.Skip + query.PerPage) };
        var pages = await Task.WhenAll(keys.Select(k => grains.GetGrain<IResourceIndexGrain>(k).QueryAsync(window)));
        var page = pages.SelectMany(p => p.Entries)
            .Order(IndexOrdering.For(query.OrderBy, query.Descending))
            .Skip((int)Math.Min(int.MaxValue, query.Skip))
            .Take(query.PerPage)
            .ToImmutableArray();
        return new IndexPage(pages.Sum(p => p.TotalResults), page);
    }

    /// <summary>The catalog partitions a platform-wide list asks: those of the guids filtered on, or all.</summary>
    public static IReadOnlyCollection<string> Catalog(string kind, ImmutableArray<Guid> guids) =>
        guids.IsDefaultOrEmpty ? IndexKeys.Catalogs(kind) : [.. guids.Select(g => IndexKeys.Catalog(kind, g)).Distinct()];

    /// <summary>
    /// Loads one page of resources. Update time is not indexed (it changes on every write), so ordering by it is
    /// the one list that loads every match: O(matches) grain calls, made concurrently.
    /// </summary>
    public static async Task<(int Total, IReadOnlyList<T> Items)> LoadAsync<T>(
        IGrainFactory grains, IReadOnlyCollection<string> indexes, IndexQuery query, bool byUpdatedAt,
        Func<Guid, Task<T?>> find, Func<T, DateTimeOffset> updatedAt)
        where T : class
    {
        if (!byUpdatedAt)
        {
            var page = await QueryAsync(grains, indexes, query);
            return (page.TotalResults, await PageLoader.LoadAsync(page, find));
        }

        var all = await QueryAsync(grains, indexes, query with { OrderBy = IndexOrder.Id, Descending = false, Page = 1, PerPage = int.MaxValue });
        var loaded = await PageLoader.LoadAsync(all, find);
        var ordered = query.Descending ? loaded.OrderByDescending(updatedAt) : loaded.OrderBy(updatedAt);
        return (loaded.Count, [.. ordered.Skip((int)Math.Min(int.MaxValue, query.Skip)).Take(query.PerPage)]);
    }
}
