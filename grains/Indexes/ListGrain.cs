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
/// the query's order and the merge keeps the page. The page's resources load concurrently from their grains. An entry
/// whose resource is gone, or no longer matches it (renamed, moved, a claim whose store failed), is left out of the
/// page and handed to its resource to repair (<see cref="IIndexedGrain.ConfirmEntryAsync"/>, which rewrites or removes
/// it in the resource's own turn).
/// </summary>
[StatelessWorker]
public sealed class ListGrain : Grain, IListGrain
{
    public async Task<IndexPage> EntriesAsync(ImmutableArray<string> indexes, IndexQuery query) => (await QueryAsync(indexes, query)).Page;

    public Task<ListPage<AppSnapshot>> AppsAsync(ImmutableArray<string> indexes, IndexQuery query, bool byUpdatedAt) =>
        LoadAsync(indexes, query, byUpdatedAt, GrainFactory.GetGrain<IAppGrain>, g => g.FindAsync(), a => a.UpdatedAt ?? a.CreatedAt,
            a => (a.Name, IndexKeys.Scope(a.SpaceGuid)));

    public Task<ListPage<SpaceSnapshot>> SpacesAsync(ImmutableArray<string> indexes, IndexQuery query, bool byUpdatedAt) =>
        LoadAsync(indexes, query, byUpdatedAt, GrainFactory.GetGrain<ISpaceGrain>, g => g.FindAsync(), s => s.UpdatedAt ?? s.CreatedAt,
            s => (s.Name, IndexKeys.Scope(s.OrganizationGuid)));

    public Task<ListPage<OrganizationSnapshot>> OrganizationsAsync(ImmutableArray<string> indexes, IndexQuery query, bool byUpdatedAt) =>
        LoadAsync(indexes, query, byUpdatedAt, GrainFactory.GetGrain<IOrganizationGrain>, g => g.FindAsync(), o => o.UpdatedAt ?? o.CreatedAt,
            o => (o.Name, string.Empty));

    public Task<ListPage<PackageSnapshot>> PackagesAsync(ImmutableArray<string> indexes, IndexQuery query, bool byUpdatedAt) =>
        LoadAsync(indexes, query, byUpdatedAt, GrainFactory.GetGrain<IPackageGrain>, g => g.FindAsync(), p => p.UpdatedAt ?? p.CreatedAt,
            p => (p.Guid.ToString("D"), IndexKeys.Scope(p.AppGuid)));

    public Task<ListPage<DropletSnapshot>> DropletsAsync(ImmutableArray<string> indexes, IndexQuery query, bool byUpdatedAt) =>
        LoadAsync(indexes, query, byUpdatedAt, GrainFactory.GetGrain<IDropletGrain>, g => g.FindAsync(), d => d.UpdatedAt ?? d.CreatedAt,
            d => (d.Guid.ToString("D"), IndexKeys.Scope(d.AppGuid)));

    public Task<ListPage<UserSnapshot>> UsersAsync(ImmutableArray<string> indexes, IndexQuery query) =>
        LoadAsync(indexes, query, false, GrainFactory.GetGrain<IUserGrain>, g => g.FindAsync(), u => u.UpdatedAt ?? u.CreatedAt, null);

    public Task<ListPage<BuildpackSnapshot>> BuildpacksAsync(ImmutableArray<string> indexes, IndexQuery query) =>
        LoadAsync(indexes, query, false, GrainFactory.GetGrain<IBuildpackGrain>, g => g.FindAsync(), b => b.UpdatedAt ?? b.CreatedAt,
            b => (b.Name, string.Empty));

    /// <summary>The page of entries, and the index each one came from.</summary>
    private async Task<(IndexPage Page, IReadOnlyDictionary<Guid, string> Origins)> QueryAsync(ImmutableArray<string> indexes, IndexQuery query)
    {
        var keys = indexes.Distinct(StringComparer.Ordinal).ToList();
        if (keys.Count == 0)
        {
            return (new IndexPage(0, []), new Dictionary<Guid, string>());
        }

        if (keys.Count == 1)
        {
            var one = await Index(keys[0]).QueryAsync(query);
            return (one, one.Entries.ToDictionary(e => e.Guid, _ => keys[0]));
        }

        var window = query with { Page = 1, PerPage = (int)Math.Min(int.MaxValue, query.Skip + query.PerPage) };
        var pages = await Task.WhenAll(keys.Select(async k => (Key: k, Page: await Index(k).QueryAsync(window))));
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

    private async Task<ListPage<T>> LoadAsync<T, TGrain>(
        ImmutableArray<string> indexes, IndexQuery query, bool byUpdatedAt, Func<Guid, string?, TGrain> grainOf, Func<TGrain, Task<T?>> find,
        Func<T, DateTimeOffset> updatedAt, Func<T, (string Name, string Scope)>? identity)
        where T : class
        where TGrain : IIndexedGrain
    {
        if (!byUpdatedAt)
        {
            var (page, origins) = await QueryAsync(indexes, query);
            return new ListPage<T>(page.TotalResults, await FindAllAsync(page, origins, grainOf, find, identity));
        }

        var (all, allOrigins) = await QueryAsync(indexes, query with { OrderBy = IndexOrder.Id, Descending = false, Page = 1, PerPage = int.MaxValue });
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

    private IResourceIndexGrain Index(string key) => GrainFactory.GetGrain<IResourceIndexGrain>(key);
}
