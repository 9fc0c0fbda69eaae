using CloudController.Grains.Indexes;
using CloudController.GrainInterfaces.Domains;
using CloudController.GrainInterfaces.Indexes;
using CloudController.GrainInterfaces.Routes;

namespace CloudController.Grains.Domains;

/// <summary>
/// Who occupies a host name (<c>host.domain</c>): a domain of that name, or routes whose URL has that host name. One
/// index partition per name (<see cref="IndexKeys.Hostnames"/>) decides, so the two can never both hold one name, however
/// they race: a domain claims the name (refused while a route's entry is there), a route enters its entry and then
/// looks for a domain's (and leaves again if it finds one). An entry whose resource does not hold it as stored (a
/// store that failed, a resource deleted) is repaired away by that resource when someone meets it.
/// </summary>
internal static class Hostnames
{
    public const string DomainTag = "kind:domain";
    public const string RouteTag = "kind:route";

    /// <summary>A domain's claim of its name; false when a route's URL holds it.</summary>
    public static async Task<bool> ClaimForDomainAsync(IGrainFactory grains, string name, Guid domain, DateTimeOffset createdAt)
    {
        var index = grains.GetGrain<IResourceIndexGrain>(IndexKeys.Hostnames(name));
        await DropStaleHoldersAsync(grains, index, IndexKeys.Hostnames(name), name, domain);
        return await index.ClaimAsync(DomainEntry(name, domain, createdAt)) is null;
    }

    /// <summary>A route enters its URL's host name; false (and out again) when a domain holds that name.</summary>
    public static async Task<bool> EnterForRouteAsync(IGrainFactory grains, string hostname, Guid route, DateTimeOffset createdAt)
    {
        var key = IndexKeys.Hostnames(hostname);
        var index = grains.GetGrain<IResourceIndexGrain>(key);
        await index.PutAsync(RouteEntry(hostname, route, createdAt));
        var holders = await index.QueryAsync(new IndexQuery([hostname], [], [[DomainTag]], IndexOrder.Id, false, 1, 10));
        foreach (var holder in holders.Entries)
        {
            if (await grains.GetGrain<IDomainGrain>(holder.Guid).ConfirmEntryAsync(key))
            {
                await index.ReleaseAsync(route);
                return false;
            }
        }

        return true;
    }

    public static IndexEntry DomainEntry(string name, Guid domain, DateTimeOffset createdAt) => new(domain, name, "", createdAt, [DomainTag]);

    public static IndexEntry RouteEntry(string hostname, Guid route, DateTimeOffset createdAt) => new(route, hostname, "", createdAt, [RouteTag]);

    /// <summary>The host name a route's URL occupies, or null for a route without a host.</summary>
    public static string? OfRoute(string host, string domain) => host.Length == 0 || host == "*" ? null : $"{host}.{domain}".ToLowerInvariant();

    private static async Task DropStaleHoldersAsync(IGrainFactory grains, IResourceIndexGrain index, string key, string name, Guid self)
    {
        var holders = await index.QueryAsync(new IndexQuery([name], [], [], IndexOrder.Id, false, 1, 100));
        await Task.WhenAll(holders.Entries.Where(e => e.Guid != self).Select(e => e.TagsOrEmpty.Contains(DomainTag)
            ? grains.GetGrain<IDomainGrain>(e.Guid).ConfirmEntryAsync(key)
            : grains.GetGrain<IRouteGrain>(e.Guid).ConfirmEntryAsync(key)));
    }
}
