using System.Collections.Immutable;
using CloudController.GrainInterfaces.Indexes;

namespace CloudController.GrainInterfaces.Routes;

/// <summary>
/// A route (key: its guid): host, domain and path, unique across the platform, in one space, mapped to apps of that
/// space. The route owns its mappings: each app's routes are an index the route writes.
/// </summary>
[Alias("CloudController.GrainInterfaces.Routes.IRouteGrain")]
public interface IRouteGrain : IIndexedGrain
{
    /// <summary>
    /// Creates the route; raises RouteHostTaken, RoutePathTaken, RouteInvalid, InvalidRelation (unknown space or domain,
    /// or a private domain of another organization), the organization's route quota.
    /// </summary>
    [Alias("CreateAsync")]
    Task<RouteSnapshot> CreateAsync(CreateRoute command);

    /// <summary>The route; raises RouteNotFound.</summary>
    [Alias("GetAsync")]
    Task<RouteSnapshot> GetAsync();

    /// <summary>The route, or null when it does not exist.</summary>
    [Alias("FindAsync")]
    Task<RouteSnapshot?> FindAsync();

    /// <summary>Changes host or path; raises RouteNotFound, RouteHostTaken, RoutePathTaken, RouteInvalid.</summary>
    [Alias("UpdateAsync")]
    Task<RouteSnapshot> UpdateAsync(UpdateRoute command);

    /// <summary>Maps an app (recording <c>audit.app.map-route</c>); raises InvalidRelation when it is not in the route's space.</summary>
    [Alias("MapAsync")]
    Task<RouteSnapshot> MapAsync(MappedApp app);

    /// <summary>Unmaps an app (recording <c>audit.app.unmap-route</c> when <paramref name="audited"/> names it); a no-op when it was not mapped.</summary>
    [Alias("UnmapAsync")]
    Task<RouteSnapshot?> UnmapAsync(Guid app, MappedApp? audited);

    /// <summary>
    /// Whether the route, as stored, counts in <paramref name="organization"/>'s usage ledger; if not, it is released
    /// there. The ledger asks this of every route it holds, so a reservation whose store failed does not stay.
    /// </summary>
    [Alias("ConfirmUsageAsync"), ResponseTimeout(Hosting.CallBounds.Nested)]
    Task<bool> ConfirmUsageAsync(Guid organization);

    /// <summary>Deletes the route and its mappings; raises RouteNotFound.</summary>
    [Alias("DeleteAsync")]
    Task DeleteAsync();
}

/// <summary>An app being mapped or unmapped: what its audit event names.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Routes.MappedApp")]
public sealed record MappedApp(Guid Guid, Guid SpaceGuid, string Name);

/// <summary>A route to create. An empty path is none; otherwise it starts with '/'.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Routes.CreateRoute")]
public sealed record CreateRoute(string Host, Guid DomainGuid, Guid SpaceGuid, string Path, int? Port);

/// <summary>Fields of a route to change; null leaves one as it is.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Routes.UpdateRoute")]
public sealed record UpdateRoute(string? Host, string? Path);

/// <summary>A route as callers see it.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Routes.RouteSnapshot")]
public sealed record RouteSnapshot(
    Guid Guid,
    string Host,
    Guid DomainGuid,
    Guid SpaceGuid,
    Guid OrganizationGuid,
    string Path,
    int? Port,
    ImmutableArray<Guid> Apps,
    DateTimeOffset CreatedAt,
    DateTimeOffset? UpdatedAt);
