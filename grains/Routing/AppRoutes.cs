using System.Collections.Immutable;
using CloudController.GrainInterfaces.Domains;
using CloudController.GrainInterfaces.Indexes;
using CloudController.GrainInterfaces.Routes;
using CloudController.Grains.Indexes;

namespace CloudController.Grains.Routing;

/// <summary>The HTTP routes mapped to an app, as hostnames and paths: what the routers serve and <c>VCAP_APPLICATION</c> lists.</summary>
public static class AppRoutes
{
    /// <summary>Routes one app brings to the table at most (CF's default per-app route quota is far lower).</summary>
    public const int MaxPerApp = 1000;

    public static async Task<ImmutableArray<(string Hostname, string Path)>> OfAsync(IGrainFactory grains, Guid app)
    {
        var page = await grains.GetGrain<IResourceIndexGrain>(IndexKeys.RoutesOfApp(app)).QueryAsync(IndexQuery.All(1, MaxPerApp));
        var routes = await Task.WhenAll(page.Entries.Select(async entry =>
        {
            // The route owns the mapping: an index entry it no longer confirms is not a route of the app.
            if (await grains.GetGrain<IRouteGrain>(entry.Guid).FindAsync() is not { Port: null } route || !route.Apps.Contains(app))
            {
                return ((string, string)?)null;
            }

            // The hostname the route index keeps (a bare domain for an empty host; wildcard routes are not routed).
            var domain = await grains.GetGrain<IDomainGrain>(route.DomainGuid).FindAsync();
            var hostname = domain is null ? null : Domains.Hostnames.OfRoute(route.Host, domain.Name) ?? (route.Host.Length == 0 ? domain.Name.ToLowerInvariant() : null);
            return hostname is null ? null : (hostname, route.Path);
        }));
        return [.. routes.OfType<(string, string)>().OrderBy(r => r.Item1, StringComparer.Ordinal).ThenBy(r => r.Item2, StringComparer.Ordinal)];
    }

    /// <summary>A route as a URI without scheme, as CF lists them (<c>app.example.com/path</c>).</summary>
    public static string Uri((string Hostname, string Path) route) => route.Hostname + route.Path;
}
