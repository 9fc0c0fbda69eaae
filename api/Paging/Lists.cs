using System.Collections.Immutable;
using CloudController.GrainInterfaces.Indexes;

namespace CloudController.Api.Paging;

/// <summary>Which indexes a list reads; the reading itself is one <see cref="IListGrain"/> call inside the cluster.</summary>
internal static class Lists
{
    public static IListGrain Of(IGrainFactory grains) => grains.GetGrain<IListGrain>(0);

    /// <summary>The catalog partitions a platform-wide list asks: those of the guids filtered on, or all.</summary>
    public static ImmutableArray<string> Catalog(string kind, ImmutableArray<Guid> guids) =>
        guids.IsDefaultOrEmpty ? [.. IndexKeys.Catalogs(kind)] : [.. guids.Select(g => IndexKeys.Catalog(kind, g)).Distinct()];
}

/// <summary>
/// A list over indexes whose resources the front-end loads itself (kinds with few entries per page: domains, routes,
/// quotas): one call for the page of entries, then the page's grains concurrently; a resource deleted meanwhile
/// drops out of the page.
/// </summary>
internal static class IndexedList
{
    public static async Task<(int Total, IReadOnlyList<T> Items)> LoadAsync<T>(
        IGrainFactory grains, ImmutableArray<string> indexes, IndexQuery query, Func<Guid, Task<T?>> load)
        where T : class
    {
        if (indexes.IsDefaultOrEmpty)
        {
            return (0, []);
        }

        var page = await Lists.Of(grains).EntriesAsync(indexes, query);
        var items = await Task.WhenAll(page.Entries.Select(e => load(e.Guid)));
        return (page.TotalResults, [.. items.OfType<T>()]);
    }
}
