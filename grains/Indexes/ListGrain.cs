using System.Collections.Immutable;
using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Buildpacks;
using CloudController.GrainInterfaces.Droplets;
using CloudController.GrainInterfaces.Indexes;
using CloudController.GrainInterfaces.Organizations;
using CloudController.GrainInterfaces.Packages;
using CloudController.GrainInterfaces.Spaces;
using CloudController.GrainInterfaces.Users;
using Orleans.Concurrency;

namespace CloudController.Grains.Indexes;

/// <summary>
/// Answers lists in the silo that took the call (a stateless worker: no state, as many activations as there is load).
/// One index answers the query itself (O(log n + page)); several each answer their first page·per_page entries in
/// the query's order and the merge keeps the page. The page's resources load concurrently from their grains.
/// </summary>
[StatelessWorker]
public sealed class ListGrain : Grain, IListGrain
{
    public Task<IndexPage> EntriesAsync(ImmutableArray<string> indexes, IndexQuery query) => QueryAsync(indexes, query);

    public Task<ListPage<AppSnapshot>> AppsAsync(ImmutableArray<string> indexes, IndexQuery query, bool byUpdatedAt) =>
        LoadAsync(indexes, query, byUpdatedAt, g => GrainFactory.GetGrain<IAppGrain>(g).FindAsync(), a => a.UpdatedAt ?? a.CreatedAt);

    public Task<ListPage<SpaceSnapshot>> SpacesAsync(ImmutableArray<string> indexes, IndexQuery query, bool byUpdatedAt) =>
        LoadAsync(indexes, query, byUpdatedAt, g => GrainFactory.GetGrain<ISpaceGrain>(g).FindAsync(), s => s.UpdatedAt ?? s.CreatedAt);

    public Task<ListPage<OrganizationSnapshot>> OrganizationsAsync(ImmutableArray<string> indexes, IndexQuery query, bool byUpdatedAt) =>
        LoadAsync(indexes, query, byUpdatedAt, g => GrainFactory.GetGrain<IOrganizationGrain>(g).FindAsync(), o => o.UpdatedAt ?? o.CreatedAt);

    public Task<ListPage<PackageSnapshot>> PackagesAsync(ImmutableArray<string> indexes, IndexQuery query, bool byUpdatedAt) =>
        LoadAsync(indexes, query, byUpdatedAt, g => GrainFactory.GetGrain<IPackageGrain>(g).FindAsync(), p => p.UpdatedAt ?? p.CreatedAt);

    public Task<ListPage<DropletSnapshot>> DropletsAsync(ImmutableArray<string> indexes, IndexQuery query, bool byUpdatedAt) =>
        LoadAsync(indexes, query, byUpdatedAt, g => GrainFactory.GetGrain<IDropletGrain>(g).FindAsync(), d => d.UpdatedAt ?? d.CreatedAt);

    public Task<ListPage<UserSnapshot>> UsersAsync(ImmutableArray<string> indexes, IndexQuery query) =>
        LoadAsync(indexes, query, false, g => GrainFactory.GetGrain<IUserGrain>(g).FindAsync(), u => u.UpdatedAt ?? u.CreatedAt);

    public Task<ListPage<BuildpackSnapshot>> BuildpacksAsync(ImmutableArray<string> indexes, IndexQuery query) =>
        LoadAsync(indexes, query, false, g => GrainFactory.GetGrain<IBuildpackGrain>(g).FindAsync(), b => b.UpdatedAt ?? b.CreatedAt);

    private async Task<IndexPage> QueryAsync(ImmutableArray<string> indexes, IndexQuery query)
    {
        var keys = indexes.Distinct(StringComparer.Ordinal).ToList();
        if (keys.Count == 0)
        {
            return new IndexPage(0, []);
        }

        if (keys.Count == 1)
        {
            return await GrainFactory.GetGrain<IResourceIndexGrain>(keys[0]).QueryAsync(query);
        }

        var window = query with { Page = 1, PerPage = (int)Math.Min(int.MaxValue, query.Skip + query.PerPage) };
        var pages = await Task.WhenAll(keys.Select(k => GrainFactory.GetGrain<IResourceIndexGrain>(k).QueryAsync(window)));
        var page = pages.SelectMany(p => p.Entries)
            .Order(IndexOrdering.For(query.OrderBy, query.Descending))
            .Skip((int)Math.Min(int.MaxValue, query.Skip))
            .Take(query.PerPage)
            .ToImmutableArray();
        return new IndexPage(pages.Sum(p => p.TotalResults), page);
    }

    private async Task<ListPage<T>> LoadAsync<T>(
        ImmutableArray<string> indexes, IndexQuery query, bool byUpdatedAt, Func<Guid, Task<T?>> find, Func<T, DateTimeOffset> updatedAt)
        where T : class
    {
        if (!byUpdatedAt)
        {
            var page = await QueryAsync(indexes, query);
            return new ListPage<T>(page.TotalResults, await FindAllAsync(page, find));
        }

        var all = await QueryAsync(indexes, query with { OrderBy = IndexOrder.Id, Descending = false, Page = 1, PerPage = int.MaxValue });
        var loaded = await FindAllAsync(all, find);
        var ordered = query.Descending ? loaded.OrderByDescending(updatedAt) : loaded.OrderBy(updatedAt);
        return new ListPage<T>(loaded.Length, [.. ordered.Skip((int)Math.Min(int.MaxValue, query.Skip)).Take(query.PerPage)]);
    }

    private static async Task<ImmutableArray<T>> FindAllAsync<T>(IndexPage page, Func<Guid, Task<T?>> find)
        where T : class =>
        [.. (await Task.WhenAll(page.Entries.Select(e => find(e.Guid)))).OfType<T>()];
}
