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
using Rules = CloudController.GrainInterfaces.Users.Roles;
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

        ImmutableArray<string> indexes = !filter.QuotaGuids.IsDefaultOrEmpty ? [.. filter.QuotaGuids.Distinct().Select(IndexKeys.OrganizationsOfQuota)]
            : filter.Names.IsDefaultOrEmpty ? [.. IndexKeys.AllOrganizations] : [.. filter.Names.Select(IndexKeys.Organizations).Distinct()];
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

    public async Task<ListPage<UserSnapshot>> UsersAsync(ListCaller caller, ListFilter filter, ListWindow window)
    {
        var guids = filter.Guids.IsDefaultOrEmpty ? filter.UserGuids : filter.Guids;
        if (filter is { RoleScope: { } scope, Role: { } role })
        {
            return await Pages.LoadAsync(GrainFactory, [IndexKeys.RoleHolders(scope, role)], Query([], guids, [], window), false,
                GrainFactory.GetGrain<IUserGrain>, g => g.FindAsync(), u => u.UpdatedAt ?? u.CreatedAt, null);
        }

        if (await VisibleAsync(caller) is not { } visible)
        {
            return await Pages.LoadAsync(GrainFactory, Catalog(IndexKeys.Users, guids), Query([], guids, [], window), window.Order == ListOrder.Updated,
                GrainFactory.GetGrain<IUserGrain>, g => g.FindAsync(), u => u.UpdatedAt ?? u.CreatedAt, null);
        }

        // A restricted caller sees itself and the users holding a role in its organizations: the holders of each, merged.
        var holders = await EntriesAsync([.. visible.Organizations.SelectMany(o => Rules.OrganizationTypes.Select(t => IndexKeys.RoleHolders(o, Rules.HolderName(t))))]);
        IEnumerable<Guid> seen = holders.Select(e => e.Guid).Append(Guid.Parse(caller.RestrictedTo!)).Distinct();
        if (!guids.IsDefaultOrEmpty)
        {
            seen = seen.Where(guids.Contains);
        }

        var users = (await Task.WhenAll(seen.Select(g => GrainFactory.GetGrain<IUserGrain>(g).FindAsync()))).OfType<UserSnapshot>().ToList();
        IEnumerable<UserSnapshot> ordered = window.Order == ListOrder.Updated
            ? users.OrderBy(u => u.UpdatedAt ?? u.CreatedAt).ThenBy(u => u.Guid)
            : users.OrderBy(u => u.CreatedAt).ThenBy(u => u.Guid);
        if (window.Descending)
        {
            ordered = ordered.Reverse();
        }

        return new ListPage<UserSnapshot>(users.Count, [.. ordered.Skip(Skip(window)).Take(window.PerPage)]);
    }

    public async Task<ListPage<RoleSnapshot>> RolesAsync(ListCaller caller, ListFilter filter, ListWindow window, bool includeUsers)
    {
        var page = await RolePageAsync(caller, filter, window);
        return includeUsers
            ? page with
            {
                Users = [.. (await Task.WhenAll(page.Items.Select(r => r.UserGuid).Distinct().Select(u => GrainFactory.GetGrain<IUserGrain>(u).FindAsync()))).OfType<UserSnapshot>()],
            }
            : page;
    }

    private async Task<ListPage<RoleSnapshot>> RolePageAsync(ListCaller caller, ListFilter filter, ListWindow window)
    {
        var visible = await VisibleAsync(caller);
        var types = filter.Types.IsDefaultOrEmpty
            ? Enum.GetValues<RoleType>().ToHashSet()
            : filter.Types.Select(Rules.Parse).OfType<RoleType>().ToHashSet();
        bool Sees(RoleSnapshot r) => visible is null || (r.SpaceGuid is { } s ? visible.Spaces.ContainsKey(s) : visible.Organizations.Contains(r.Scope));
        bool Wanted(RoleSnapshot r) => types.Contains(r.Type) && Sees(r) && (filter.Guids.IsDefaultOrEmpty || filter.Guids.Contains(r.Guid))
            && (filter.UserGuids.IsDefaultOrEmpty || filter.UserGuids.Contains(r.UserGuid))
            && (filter.SpaceGuids.IsDefaultOrEmpty || (r.SpaceGuid is { } sg && filter.SpaceGuids.Contains(sg)))
            && (filter.OrganizationGuids.IsDefaultOrEmpty || (r.OrganizationGuid is { } og && filter.OrganizationGuids.Contains(og)));

        if (filter.SpaceGuids.IsDefaultOrEmpty && filter.OrganizationGuids.IsDefaultOrEmpty && !(filter.UserGuids.IsDefaultOrEmpty && filter.Guids.IsDefaultOrEmpty))
        {
            // Named users (their memberships) or named roles (their pointers): a handful of grains, sorted here.
            var found = !filter.UserGuids.IsDefaultOrEmpty
                ? (await Task.WhenAll(filter.UserGuids.Distinct().Select(u => GrainFactory.GetGrain<IUserGrain>(u).RolesAsync()))).SelectMany(r => r)
                : (await Task.WhenAll(filter.Guids.Distinct().Select(g => GrainFactory.GetGrain<IRoleGrain>(g).FindAsync()))).OfType<RoleSnapshot>();
            var matching = found.Where(Wanted).ToList();
            return new ListPage<RoleSnapshot>(matching.Count, [.. RoleOrder(matching, window.Descending).Skip(Skip(window)).Take(window.PerPage)]);
        }

        // Scopes: the named ones, or every one the caller sees (an admin: every organization and space).
        IEnumerable<(Guid Scope, RoleType Type)> sources;
        if (!filter.SpaceGuids.IsDefaultOrEmpty || !filter.OrganizationGuids.IsDefaultOrEmpty)
        {
            sources = filter.SpaceGuids.SelectMany(s => Rules.SpaceTypes.Select(t => (s, t)))
                .Concat(filter.OrganizationGuids.SelectMany(o => Rules.OrganizationTypes.Select(t => (o, t))));
        }
        else
        {
            var orgs = visible?.Organizations ?? [.. (await EntriesAsync([.. IndexKeys.AllOrganizations])).Select(e => e.Guid)];
            var spaces = visible?.Spaces.Keys ?? (await EntriesAsync(Catalog(IndexKeys.Spaces, []))).Select(e => e.Guid);
            sources = orgs.SelectMany(o => Rules.OrganizationTypes.Select(t => (o, t))).Concat(spaces.SelectMany(s => Rules.SpaceTypes.Select(t => (s, t))));
        }

        bool SeesScope((Guid Scope, RoleType Type) s) =>
            visible is null || (Rules.IsSpaceRole(s.Type) ? visible.Spaces.ContainsKey(s.Scope) : visible.Organizations.Contains(s.Scope));
        var chosen = sources.Distinct().Where(s => types.Contains(s.Type) && SeesScope(s)).ToList();
        var everything = !filter.Guids.IsDefaultOrEmpty;
        var users = filter.UserGuids.IsDefault ? [] : filter.UserGuids;
        IResourceIndexGrain Holders((Guid Scope, RoleType Type) source) =>
            GrainFactory.GetGrain<IResourceIndexGrain>(IndexKeys.RoleHolders(source.Scope, Rules.HolderName(source.Type)));
        if (!everything)
        {
            // Most lists name a scope whose holders are of one type: each index answers the page itself, and when only
            // one has holders its page is the answer (O(log n + page)).
            var direct = await Task.WhenAll(chosen.Select(async source =>
                (Source: source, Page: await Holders(source).QueryAsync(IndexQuery.All(window.Page, window.PerPage) with { Guids = users, Descending = window.Descending }))));
            if (direct.Count(d => d.Page.TotalResults > 0) <= 1)
            {
                var only = direct.FirstOrDefault(d => d.Page.TotalResults > 0);
                return only.Page is null
                    ? new ListPage<RoleSnapshot>(0, [])
                    : new ListPage<RoleSnapshot>(only.Page.TotalResults,
                        [.. only.Page.Entries.Select(e => RoleSnapshot.Of(only.Source.Type, e.Guid, only.Source.Scope, e.CreatedAt))]);
            }
        }

        var reach = everything ? int.MaxValue : (int)Math.Min(int.MaxValue, (long)Skip(window) + window.PerPage);
        var query = IndexQuery.All(1, reach) with { Guids = users, Descending = window.Descending };
        var pages = await Task.WhenAll(chosen.Select(async source => (Source: source, Page: await Holders(source).QueryAsync(query))));
        if (everything)
        {
            // Named roles within scopes: every holder is made a role and matched (a rare query).
            var all = pages.SelectMany(p => p.Page.Entries.Select(e => RoleSnapshot.Of(p.Source.Type, e.Guid, p.Source.Scope, e.CreatedAt))).Where(Wanted).ToList();
            return new ListPage<RoleSnapshot>(all.Count, [.. RoleOrder(all, window.Descending).Skip(Skip(window)).Take(window.PerPage)]);
        }

        // Each index answered its first page·per_page holders in grant order; the merge keeps the page, and only the
        // page's holders are made roles.
        var merged = pages.SelectMany(p => p.Page.Entries.Select(e => (p.Source, Entry: e)));
        var ordered = window.Descending
            ? merged.OrderByDescending(m => m.Entry.CreatedAt).ThenByDescending(m => m.Entry.Guid).ThenByDescending(m => m.Source.Type)
            : merged.OrderBy(m => m.Entry.CreatedAt).ThenBy(m => m.Entry.Guid).ThenBy(m => m.Source.Type);
        return new ListPage<RoleSnapshot>(pages.Sum(p => p.Page.TotalResults),
            [.. ordered.Skip(Skip(window)).Take(window.PerPage).Select(m => RoleSnapshot.Of(m.Source.Type, m.Entry.Guid, m.Source.Scope, m.Entry.CreatedAt))]);
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
        if (!filter.Guids.IsDefaultOrEmpty)
        {
            // Named routes: their grains, filtered and ordered here.
            var named = (await Task.WhenAll(filter.Guids.Distinct().Select(g => GrainFactory.GetGrain<IRouteGrain>(g).FindAsync())))
                .OfType<RouteSnapshot>()
                .Where(r => Sees(r.SpaceGuid)
                    && (filter.AppGuids.IsDefaultOrEmpty || r.Apps.Any(filter.AppGuids.Contains))
                    && (filter.SpaceGuids.IsDefaultOrEmpty || filter.SpaceGuids.Contains(r.SpaceGuid))
                    && (filter.DomainGuids.IsDefaultOrEmpty || filter.DomainGuids.Contains(r.DomainGuid))
                    && (filter.OrganizationGuids.IsDefaultOrEmpty || filter.OrganizationGuids.Contains(r.OrganizationGuid))
                    && (filter.Hosts is not { } hosts || hosts.Contains(r.Host, StringComparer.OrdinalIgnoreCase))
                    && (filter.Paths is not { } paths || paths.Contains(r.Path, StringComparer.OrdinalIgnoreCase)))
                .ToList();
            IEnumerable<RouteSnapshot> ordered = window.Descending
                ? named.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Guid)
                : named.OrderBy(r => r.CreatedAt).ThenBy(r => r.Guid);
            return new ListPage<RouteSnapshot>(named.Count, [.. ordered.Skip(Skip(window)).Take(window.PerPage)]) { Visible = visible };
        }

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

    private static IEnumerable<RoleSnapshot> RoleOrder(IEnumerable<RoleSnapshot> roles, bool descending) =>
        descending ? roles.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Guid) : roles.OrderBy(r => r.CreatedAt).ThenBy(r => r.Guid);

    private static int Skip(ListWindow window) => (int)Math.Min(int.MaxValue, (long)(window.Page - 1) * window.PerPage);

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
