using System.Collections.Immutable;
using CloudController.GrainInterfaces.Access;
using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Buildpacks;
using CloudController.GrainInterfaces.Domains;
using CloudController.GrainInterfaces.Droplets;
using CloudController.GrainInterfaces.Organizations;
using CloudController.GrainInterfaces.Packages;
using CloudController.GrainInterfaces.Quotas;
using CloudController.GrainInterfaces.Routes;
using CloudController.GrainInterfaces.Spaces;
using CloudController.GrainInterfaces.Uaa;
using CloudController.GrainInterfaces.Users;

namespace CloudController.GrainInterfaces.Lists;

/// <summary>
/// Every list, in the front-end's terms: who asks (<see cref="ListCaller"/>), which filters (<see cref="ListFilter"/>),
/// which page (<see cref="ListWindow"/>). The silo plans it (what the caller sees, which indexes answer) and loads the
/// page next to the grains; the front-end knows nothing of indexes.
/// </summary>
[Alias("CloudController.GrainInterfaces.Lists.IListGrain")]
public interface IListGrain : IGrainWithIntegerKey
{
    [Alias("AppsAsync")]
    Task<ListPage<AppSnapshot>> AppsAsync(ListCaller caller, ListFilter filter, ListWindow window);

    [Alias("SpacesAsync")]
    Task<ListPage<SpaceSnapshot>> SpacesAsync(ListCaller caller, ListFilter filter, ListWindow window);

    [Alias("OrganizationsAsync")]
    Task<ListPage<OrganizationSnapshot>> OrganizationsAsync(ListCaller caller, ListFilter filter, ListWindow window);

    [Alias("PackagesAsync")]
    Task<ListPage<PackageSnapshot>> PackagesAsync(ListCaller caller, ListFilter filter, ListWindow window);

    [Alias("DropletsAsync")]
    Task<ListPage<DropletSnapshot>> DropletsAsync(ListCaller caller, ListFilter filter, ListWindow window);

    /// <summary>Users: the holders of <see cref="ListFilter.Role"/> in <see cref="ListFilter.RoleScope"/>, or every user.</summary>
    [Alias("UsersAsync")]
    Task<ListPage<UserSnapshot>> UsersAsync(ListCaller caller, ListFilter filter, ListWindow window);

    /// <summary>
    /// Roles: those in the named spaces and organizations, or held by the named users, or (role guids) found by their
    /// pointers, or every role the caller sees; filtered by type. Ordered by when each was granted.
    /// </summary>
    [Alias("RolesAsync")]
    Task<ListPage<RoleSnapshot>> RolesAsync(ListCaller caller, ListFilter filter, ListWindow window, bool includeUsers);

    [Alias("BuildpacksAsync")]
    Task<ListPage<BuildpackSnapshot>> BuildpacksAsync(ListFilter filter, ListWindow window);

    [Alias("DomainsAsync")]
    Task<ListPage<DomainSnapshot>> DomainsAsync(ListCaller caller, ListFilter filter, ListWindow window);

    [Alias("RoutesAsync")]
    Task<ListPage<RouteSnapshot>> RoutesAsync(ListCaller caller, ListFilter filter, ListWindow window);

    [Alias("QuotasAsync")]
    Task<ListPage<QuotaSnapshot>> QuotasAsync(ListFilter filter, ListWindow window);

    /// <summary>UAA users by name (case-insensitively), or all of them.</summary>
    [Alias("UaaUsersAsync")]
    Task<ListPage<UaaUserSnapshot>> UaaUsersAsync(ListFilter filter, ListWindow window);

    /// <summary>The UAA user holding a name (case-insensitively), or null.</summary>
    [Alias("FindUaaUserAsync")]
    Task<Guid?> FindUaaUserAsync(string userName);

    [Alias("BuildpackExistsAsync")]
    Task<bool> BuildpackExistsAsync(string name);

    /// <summary>Whether a route holds host and path on the domain (platform-wide).</summary>
    [Alias("RouteTakenAsync")]
    Task<bool> RouteTakenAsync(Guid domain, string host, string path);
}

/// <summary>
/// One page of resources and the count of all matches; a resource deleted meanwhile drops out of the page. For lists
/// whose items differ by caller, <see cref="Visible"/> is what the caller sees (null: everything), so the front-end
/// need not ask again.
/// </summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Lists.ListPage`1")]
public sealed record ListPage<T>([property: Id(0)] int TotalResults, [property: Id(1)] ImmutableArray<T> Items)
{
    [Id(2)] public VisibleScopes? Visible { get; init; }

    /// <summary>The users a page of roles names, when the list was asked to include them (loaded next to their grains).</summary>
    [Id(3)] public ImmutableArray<UserSnapshot> Users { get; init; } = [];
}
