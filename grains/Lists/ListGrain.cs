using System.Collections.Immutable;
using System.Text.Json;
using CloudController.Grains.Indexes;
using CloudController.GrainInterfaces.Access;
using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Buildpacks;
using CloudController.GrainInterfaces.Domains;
using CloudController.GrainInterfaces.Droplets;
using CloudController.GrainInterfaces.Indexes;
using CloudController.GrainInterfaces.Lists;
using CloudController.GrainInterfaces.Organizations;
using CloudController.GrainInterfaces.Packages;
using CloudController.GrainInterfaces.Quotas;
using CloudController.GrainInterfaces.Routes;
using CloudController.GrainInterfaces.Spaces;
using CloudController.GrainInterfaces.Uaa;
using CloudController.GrainInterfaces.Users;
using Orleans.Concurrency;

namespace CloudController.Grains.Lists;

/// <summary>
/// Every list, planned and answered in the silo that took the call (a stateless worker: as many activations as there
/// is load). The front-end sends a list in its own terms (who asks, which filters, which page); this grain works out
/// what the caller may see (once), which indexes answer (a space's, an organization's spaces', a catalog partition's,
/// a role's holders, ...), pages them (one index answers itself in O(log n + page); several each answer their first
/// page·per_page entries and the merge keeps the page) and loads the page's resources from their grains. An entry
/// whose resource is gone, or no longer matches it, is left out and handed to the resource to repair.
/// </summary>
[StatelessWorker]
public sealed class ListGrain : Grain, IListGrain
{
    public async Task<ListPage<AppSnapshot>> AppsAsync(ListCaller caller, ListFilter filter, ListWindow window)
    {
        var visible = await VisibleAsync(caller);
        var indexes = await AppIndexesAsync(filter.SpaceGuids, filter.OrganizationGuids, filter.Guids, visible);
        var page = await Pages.LoadAsync(GrainFactory, indexes, Query(filter.Names, filter.Guids, [], window), window.Order == ListOrder.Updated,
            GrainFactory.GetGrain<IAppGrain>, g => g.FindAsync(), a => a.UpdatedAt ?? a.CreatedAt, a => (a.Name, IndexKeys.Scope(a.SpaceGuid)));
        return page with { Visible = visible };
    }

    public async Task<ListPage<SpaceSnapshot>> SpacesAsync(ListCaller caller, ListFilter filter, ListWindow window)
    {
        var visible = await VisibleAsync(caller);
        ImmutableArray<string> indexes;
        var guids = filter.Guids;
        if (visible is null)
        {
            indexes = filter.OrganizationGuids.IsDefaultOrEmpty
                ? Catalog(IndexKeys.Spaces, guids)
                : [.. filter.OrganizationGuids.Select(IndexKeys.SpacesInOrganization)];
        }
        else
        {
            var mine = Within(visible, guids, filter.OrganizationGuids).ToImmutableArray();
            if (mine.IsEmpty)
            {
                return new ListPage<SpaceSnapshot>(0, []);
            }

            indexes = [.. mine.Select(s => visible.Spaces[s]).Distinct().Select(IndexKeys.SpacesInOrganization)];
            guids = mine;
        }

        return await Pages.LoadAsync(GrainFactory, indexes, Query(filter.Names, guids, [], window), window.Order == ListOrder.Updated,
            GrainFactory.GetGrain<ISpaceGrain>, g => g.FindAsync(), s => s.UpdatedAt ?? s.CreatedAt, s => (s.Name, IndexKeys.Scope(s.OrganizationGuid)));
    }

    public async Task<ListPage<OrganizationSnapshot>> OrganizationsAsync(ListCaller caller, ListFilter filter, ListWindow window)
    {
        var visible = await VisibleAsync(caller);
        var guids = filter.Guids;
        if (visible is not null)
        {
            guids = [.. visible.Organizations.Where(o => filter.Guids.IsDefaultOrEmpty || filter.Guids.Contains(o))];
            if (guids.IsEmpty)
            {
                return new ListPage<OrganizationSnapshot>(0, []);
            }
        }

        ImmutableArray<string> indexes = filter.Names.IsDefaultOrEmpty ? [.. IndexKeys.AllOrganizations] : [.. filter.Names.Select(IndexKeys.Organizations).Distinct()];
        return await Pages.LoadAsync(GrainFactory, indexes, Query(filter.Names, guids, [], window), window.Order == ListOrder.Updated,
            GrainFactory.GetGrain<IOrganizationGrain>, g => g.FindAsync(), o => o.UpdatedAt ?? o.CreatedAt, o => (o.Name, string.Empty));
    }

    public async Task<ListPage<PackageSnapshot>> PackagesAsync(ListCaller caller, ListFilter filter, ListWindow window)
    {
        var indexes = await PerAppIndexesAsync(caller, filter, IndexKeys.PackagesOfApp, IndexKeys.Packages);
        ImmutableArray<ImmutableArray<string>> tags =
            [.. new[] { Tags<PackageState>(filter.States, JsonNamingPolicy.SnakeCaseUpper, IndexTags.State), Tags<PackageType>(filter.Types, JsonNamingPolicy.SnakeCaseLower, IndexTags.Type) }.Where(g => !g.IsEmpty)];
        return await Pages.LoadAsync(GrainFactory, indexes, Query([], filter.Guids, tags, window), window.Order == ListOrder.Updated,
            GrainFactory.GetGrain<IPackageGrain>, g => g.FindAsync(), p => p.UpdatedAt ?? p.CreatedAt, p => (p.Guid.ToString("D"), IndexKeys.Scope(p.AppGuid)));
    }

    public async Task<ListPage<DropletSnapshot>> DropletsAsync(ListCaller caller, ListFilter filter, ListWindow window)
    {
        var indexes = await PerAppIndexesAsync(caller, filter, IndexKeys.DropletsOfApp, IndexKeys.Droplets);
        ImmutableArray<ImmutableArray<string>> tags =
            [.. new[] { Tags<DropletState>(filter.States, JsonNamingPolicy.SnakeCaseUpper, IndexTags.State), [.. filter.PackageGuids.Select(IndexTags.Package)] }.Where(g => !g.IsEmpty)];
        return await Pages.LoadAsync(GrainFactory, indexes, Query([], filter.Guids, tags, window), window.Order == ListOrder.Updated,
            GrainFactory.GetGrain<IDropletGrain>, g => g.FindAsync(), d => d.UpdatedAt ?? d.CreatedAt, d => (d.Guid.ToString("D"), IndexKeys.Scope(d.AppGuid)));
    }

    public Task<ListPage<UserSnapshot>> UsersAsync(ListCaller caller, ListFilter filter, ListWindow window)
    {
        ImmutableArray<string> indexes = filter is { RoleScope: { } scope, Role: { } role }
            ? [IndexKeys.RoleHolders(scope, role)]
            : Catalog(IndexKeys.Users, filter.Guids);
        return Pages.LoadAsync(GrainFactory, indexes, Query([], filter.Guids, [], window), false,
            GrainFactory.GetGrain<IUserGrain>, g => g.FindAsync(), u => u.UpdatedAt ?? u.CreatedAt, null);
    }

    public Task<ListPage<BuildpackSnapshot>> BuildpacksAsync(ListFilter filter, ListWindow window)
    {
        ImmutableArray<string> indexes = filter.Names.IsDefaultOrEmpty ? [.. IndexKeys.AllBuildpacks] : [.. filter.Names.Select(IndexKeys.Buildpacks).Distinct()];
        return Pages.LoadAsync(GrainFactory, indexes, Query(filter.Names, filter.Guids, [], window), false,
            GrainFactory.GetGrain<IBuildpackGrain>, g => g.FindAsync(), b => b.UpdatedAt ?? b.CreatedAt, b => (b.Name, string.Empty));
    }

    /// <summary>
    /// Domains: shared ones (every caller sees them), and private ones of the named organizations, or of the caller's
    /// (an admin's: every organization's).
    /// </summary>
    public async Task<ListPage<DomainSnapshot>> DomainsAsync(ListCaller caller, ListFilter filter, ListWindow window)
    {
        var indexes = ImmutableArray.CreateBuilder<string>();
        if (filter.Shared is null or true)
        {
            indexes.Add(IndexKeys.SharedDomains);
        }

        if (filter.Shared is null or false)
        {
            var visible = await VisibleAsync(caller);
            IEnumerable<Guid> orgs = !filter.OrganizationGuids.IsDefaultOrEmpty
                ? filter.OrganizationGuids.Where(o => visible is null || visible.Organizations.Contains(o) || visible.Spaces.ContainsValue(o))
                : visible is null
                    ? (await EntriesAsync([.. IndexKeys.AllOrganizations])).Select(e => e.Guid)
                    : visible.Organizations.Concat(visible.Spaces.Values).Distinct();
            indexes.AddRange(orgs.Select(IndexKeys.PrivateDomainsOf));
        }

        return await Pages.LoadAsync(GrainFactory, indexes.ToImmutable(), Query(filter.Names, filter.Guids, [], window), false,
            GrainFactory.GetGrain<IDomainGrain>, g => g.FindAsync(), d => d.CreatedAt, d => (d.Name, d.OwningOrganizationGuid is { } o ? IndexKeys.Scope(o) : string.Empty));
    }

    /// <summary>
    /// Routes: an app's mappings, the named spaces' routes, a domain's, or the spaces of the named organizations (the
    /// caller's spaces only, for a restricted caller; every space for an admin). Host, path, domain and space are tags.
    /// </summary>
    public async Task<ListPage<RouteSnapshot>> RoutesAsync(ListCaller caller, ListFilter filter, ListWindow window)
    {
        var visible = await VisibleAsync(caller);
        ImmutableArray<Guid>? mine = visible is null ? null : [.. visible.Spaces.Keys];
        bool Sees(Guid space) => mine is null || mine.Value.Contains(space);
        ImmutableArray<string> indexes;
        if (!filter.AppGuids.IsDefaultOrEmpty)
        {
            indexes = [.. filter.AppGuids.Select(IndexKeys.RoutesOfApp)];
        }
        else if (!filter.SpaceGuids.IsDefaultOrEmpty)
        {
            indexes = [.. filter.SpaceGuids.Where(Sees).Select(IndexKeys.RoutesInSpace)];
        }
        else if (!filter.DomainGuids.IsDefaultOrEmpty)
        {
            indexes = [.. filter.DomainGuids.Select(IndexKeys.RoutesOfDomain)];
        }
        else if (!filter.OrganizationGuids.IsDefaultOrEmpty)
        {
            var spaces = await EntriesAsync([.. filter.OrganizationGuids.Select(IndexKeys.SpacesInOrganization)]);
            indexes = [.. spaces.Select(e => e.Guid).Where(Sees).Select(IndexKeys.RoutesInSpace)];
        }
        else
        {
            var all = mine ?? [.. (await EntriesAsync(Catalog(IndexKeys.Spaces, []))).Select(e => e.Guid)];
            indexes = [.. all.Select(IndexKeys.RoutesInSpace)];
        }

        var groups = ImmutableArray.CreateBuilder<ImmutableArray<string>>();
        AddGroup(groups, "host", filter.Hosts?.Select(h => h.ToLowerInvariant()));
        AddGroup(groups, "path", filter.Paths);
        AddGroup(groups, "domain", filter.DomainGuids.IsDefaultOrEmpty ? null : filter.DomainGuids.Select(IndexKeys.Scope));
        AddGroup(groups, "space", filter.SpaceGuids.IsDefaultOrEmpty ? null : filter.SpaceGuids.Select(IndexKeys.Scope));
        if (mine is { } restricted && filter.AppGuids.IsDefaultOrEmpty)
        {
            AddGroup(groups, "space", restricted.Select(IndexKeys.Scope), always: true);
        }

        // Mapping entries (an app's routes) carry no tags: the routes' own fields filter them once loaded.
        var query = filter.AppGuids.IsDefaultOrEmpty ? Query([], [], groups.ToImmutable(), window) with { OrderBy = IndexOrder.Id } : Query([], [], [], window);
        var page = await Pages.LoadAsync(GrainFactory, indexes, query, false,
            GrainFactory.GetGrain<IRouteGrain>, g => g.FindAsync(), r => r.UpdatedAt ?? r.CreatedAt, null);
        return page with { Visible = visible };
    }

    public Task<ListPage<QuotaSnapshot>> QuotasAsync(ListFilter filter, ListWindow window) =>
        Pages.LoadAsync(GrainFactory, [IndexKeys.AllQuotaDefinitions], Query(filter.Names, filter.Guids, [], window), false,
            GrainFactory.GetGrain<IQuotaDefinitionGrain>, g => g.FindAsync(), q => q.UpdatedAt ?? q.CreatedAt, q => (q.Limits.Name, string.Empty));

    public async Task<ListPage<UaaUserSnapshot>> UaaUsersAsync(ListFilter filter, ListWindow window)
    {
        ImmutableArray<string> names = [.. filter.Names.Select(n => n.ToLowerInvariant())];
        ImmutableArray<string> indexes = names.IsDefaultOrEmpty ? [.. IndexKeys.AllUaaUsers] : [.. names.Select(IndexKeys.UaaUsers).Distinct()];
        return await Pages.LoadAsync(GrainFactory, indexes, Query(names, filter.Guids, [], window), false,
            GrainFactory.GetGrain<IUaaUserGrain>, g => g.FindAsync(), u => u.LastModified, u => (u.UserName.ToLowerInvariant(), string.Empty));
    }

    public async Task<Guid?> FindUaaUserAsync(string userName)
    {
        var page = await GrainFactory.GetGrain<IResourceIndexGrain>(IndexKeys.UaaUsers(userName))
            .QueryAsync(new IndexQuery([userName.ToLowerInvariant()], [], [], IndexOrder.Id, false, 1, 1));
        return page.Entries.IsEmpty ? null : page.Entries[0].Guid;
    }

    public async Task<bool> BuildpackExistsAsync(string name) =>
        (await GrainFactory.GetGrain<IResourceIndexGrain>(IndexKeys.Buildpacks(name))
            .QueryAsync(new IndexQuery([name], [], [], IndexOrder.Id, false, 1, 1))).TotalResults > 0;

    public async Task<bool> RouteTakenAsync(Guid domain, string host, string path) =>
        (await GrainFactory.GetGrain<IResourceIndexGrain>(IndexKeys.RoutesOfDomain(domain))
            .QueryAsync(new IndexQuery([IndexKeys.RouteAddress(host.ToLowerInvariant(), path)], [], [], IndexOrder.Id, false, 1, 1))).TotalResults > 0;

    /// <summary>The apps indexes of a list: the named spaces, intersected with the named organizations' spaces; the catalog without either.</summary>
    private async Task<ImmutableArray<string>> AppIndexesAsync(
        ImmutableArray<Guid> spaces, ImmutableArray<Guid> organizations, ImmutableArray<Guid> guids, VisibleScopes? visible)
    {
        if (visible is not null)
        {
            return [.. Within(visible, spaces, organizations).Select(IndexKeys.AppsInSpace)];
        }

        if (spaces.IsDefaultOrEmpty && organizations.IsDefaultOrEmpty)
        {
            return Catalog(IndexKeys.Apps, guids);
        }

        IEnumerable<Guid> chosen = spaces.IsDefaultOrEmpty ? [] : spaces;
        if (!organizations.IsDefaultOrEmpty)
        {
            var inOrgs = (await EntriesAsync([.. organizations.Select(IndexKeys.SpacesInOrganization)])).Select(e => e.Guid);
            chosen = spaces.IsDefaultOrEmpty ? inOrgs : chosen.Intersect(inOrgs);
        }

        return [.. chosen.Distinct().Select(IndexKeys.AppsInSpace)];
    }

    /// <summary>
    /// The per-app indexes (packages, droplets) a list reads: the named apps' (a restricted caller's only those in its
    /// spaces), the apps of the named spaces and organizations, or the kind's catalog.
    /// </summary>
    private async Task<ImmutableArray<string>> PerAppIndexesAsync(ListCaller caller, ListFilter filter, Func<Guid, string> indexOf, string kind)
    {
        var visible = await VisibleAsync(caller);
        if (visible is null && filter.AppGuids.IsDefaultOrEmpty && filter.SpaceGuids.IsDefaultOrEmpty && filter.OrganizationGuids.IsDefaultOrEmpty)
        {
            return Catalog(kind, filter.Guids);
        }

        if (!filter.AppGuids.IsDefaultOrEmpty && filter.SpaceGuids.IsDefaultOrEmpty && filter.OrganizationGuids.IsDefaultOrEmpty)
        {
            if (visible is null)
            {
                return [.. filter.AppGuids.Distinct().Select(indexOf)];
            }

            // The named apps' catalog entries say their spaces: O(named apps), whatever the caller's spaces hold.
            var mine = visible.Spaces.Keys.Select(IndexKeys.Scope).ToHashSet(StringComparer.Ordinal);
            var named = await EntriesAsync(Catalog(IndexKeys.Apps, filter.AppGuids), filter.AppGuids);
            return [.. named.Where(e => mine.Contains(e.Scope)).Select(e => indexOf(e.Guid))];
        }

        var appIndexes = await AppIndexesAsync(filter.SpaceGuids, filter.OrganizationGuids, [], visible);
        var apps = await EntriesAsync(appIndexes, filter.AppGuids);
        return [.. apps.Select(e => indexOf(e.Guid))];
    }

    private async Task<VisibleScopes?> VisibleAsync(ListCaller caller) =>
        caller.RestrictedTo is { } user ? await GrainFactory.GetGrain<IAccessGrain>(0).VisibleAsync(user) : null;

    /// <summary>The caller's spaces that pass the space and organization filters (each empty filter passes all).</summary>
    private static IEnumerable<Guid> Within(VisibleScopes visible, ImmutableArray<Guid> spaces, ImmutableArray<Guid> organizations) =>
        visible.Spaces
            .Where(s => (spaces.IsDefaultOrEmpty || spaces.Contains(s.Key)) && (organizations.IsDefaultOrEmpty || organizations.Contains(s.Value)))
            .Select(s => s.Key);

    /// <summary>The catalog partitions a platform-wide list asks: those of the guids filtered on, or all.</summary>
    private static ImmutableArray<string> Catalog(string kind, ImmutableArray<Guid> guids) =>
        guids.IsDefaultOrEmpty ? [.. IndexKeys.Catalogs(kind)] : [.. guids.Select(g => IndexKeys.Catalog(kind, g)).Distinct()];

    private async Task<ImmutableArray<IndexEntry>> EntriesAsync(ImmutableArray<string> indexes, ImmutableArray<Guid> guids = default) =>
        (await Pages.QueryAsync(GrainFactory, indexes, IndexQuery.All(1, int.MaxValue) with { Guids = guids.IsDefault ? [] : guids })).Page.Entries;

    private static IndexQuery Query(ImmutableArray<string> names, ImmutableArray<Guid> guids, ImmutableArray<ImmutableArray<string>> tags, ListWindow window) =>
        new(names.IsDefault ? [] : names, guids.IsDefault ? [] : guids, tags, window.Order == ListOrder.Name ? IndexOrder.Name : IndexOrder.Id,
            window.Descending, window.Page, window.PerPage);

    /// <summary>
    /// The tags a filter on an enum-valued field asks for by CF name (<c>AWAITING_UPLOAD</c> for states, <c>bits</c> for
    /// types); a name no value has matches nothing. Empty when not filtered.
    /// </summary>
    private static ImmutableArray<string> Tags<TEnum>(ImmutableArray<string> names, JsonNamingPolicy naming, Func<TEnum, string> tag)
        where TEnum : struct, Enum =>
        names.IsDefaultOrEmpty
            ? []
            : [.. names.Select(n => Enum.GetValues<TEnum>().Where(e => naming.ConvertName(e.ToString()) == n).Select(tag).DefaultIfEmpty("\0").First())];

    private static void AddGroup(ImmutableArray<ImmutableArray<string>>.Builder groups, string kind, IEnumerable<string>? values, bool always = false)
    {
        if (values is null)
        {
            return;
        }

        var group = values.Select(v => IndexEntry.Tag(kind, v)).ToImmutableArray();
        if (!group.IsEmpty || always)
        {
            groups.Add(group.IsEmpty ? ["\0"] : group);
        }
    }
}
