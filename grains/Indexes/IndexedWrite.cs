using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Indexes;

namespace CloudController.Grains.Indexes;

/// <summary>
/// Where a resource's entry lives: <see cref="Index"/> keeps its name unique (the scope's index, or a name-hash
/// partition), and kinds listed platform-wide also have an entry in their catalog partition.
/// </summary>
internal sealed record IndexPlacement(string Index, string? CatalogKind)
{
    /// <summary>A listing index of its own (an organization's private domains, a space's routes) instead of a catalog partition.</summary>
    public string? Listing { get; init; }

    public static IndexPlacement Domain(string name, Guid? owner) =>
        new(IndexKeys.Domains(name), null) { Listing = owner is { } org ? IndexKeys.PrivateDomainsOf(org) : IndexKeys.SharedDomains };

    public static IndexPlacement Route(Guid domain, Guid space) =>
        new(IndexKeys.RoutesOfDomain(domain), null) { Listing = IndexKeys.RoutesInSpace(space) };

    public static IndexPlacement QuotaDefinition(string name) =>
        new(IndexKeys.QuotaDefinitions(name), null) { Listing = IndexKeys.AllQuotaDefinitions };

    public static IndexPlacement App(Guid space) => new(IndexKeys.AppsInSpace(space), IndexKeys.Apps);

    public static IndexPlacement Space(Guid organization) => new(IndexKeys.SpacesInOrganization(organization), IndexKeys.Spaces);

    public static IndexPlacement Package(Guid app) => new(IndexKeys.PackagesOfApp(app), IndexKeys.Packages);

    public static IndexPlacement Droplet(Guid app) => new(IndexKeys.DropletsOfApp(app), IndexKeys.Droplets);

    public static IndexPlacement Organization(string name) => new(IndexKeys.Organizations(name), null);

    public static IndexPlacement Buildpack(string name) => new(IndexKeys.Buildpacks(name), null);

    public string? CatalogOf(Guid guid) => Listing ?? (CatalogKind is { } kind ? IndexKeys.Catalog(kind, guid) : null);
}

/// <summary>
/// The order every indexed resource follows: claim the name in its index (and enter the catalog) first, then store
/// the resource, and give both back if storing fails, so a name is never held by a resource that was not stored. A
/// write that changes nothing the index keeps goes straight to storage.
/// </summary>
internal static class IndexedWrite
{
    /// <summary>
    /// Claims <paramref name="entry"/>'s name, then stores. <paramref name="holderExists"/>, when given, asks whether the
    /// resource holding a taken name really exists: a claim whose resource was never stored (its silo died between
    /// the claim and the store, so the create was never acknowledged) is given back and the name claimed again.
    /// Asking the holder's grain waits for a create it is still running, so a live claim is never taken.
    /// </summary>
    public static async Task ClaimThenStoreAsync(
        IGrainFactory grains, IndexPlacement placement, IndexEntry entry, Func<Exception> nameTaken, Func<Task> store,
        Func<Guid, Task<bool>>? holderExists = null)
    {
        var claim = ClaimAsync(grains, placement, entry, nameTaken, holderExists);
        var catalog = placement.CatalogOf(entry.Guid) is { } key ? Index(grains, key).PutAsync(entry) : Task.CompletedTask;
        try
        {
            await Task.WhenAll(claim, catalog);
        }
        catch
        {
            await Task.WhenAll(claim.IsCompletedSuccessfully ? Index(grains, placement.Index).ReleaseAsync(entry.Guid) : Task.CompletedTask,
                ReleaseCatalogAsync(grains, placement, entry.Guid));
            throw;
        }

        try
        {
            await store();
        }
        catch
        {
            await ReleaseAsync(grains, placement, entry.Guid);
            throw;
        }
    }

    /// <summary>
    /// Changes an entry (a rename, a new state), then its catalog entry, then stores. An entry that did not change skips
    /// the index; one that moves to another index (an organization renamed into another name partition) is claimed
    /// there and released here only once stored. If a step fails, the indexes get the old entry back.
    /// </summary>
    public static async Task UpdateThenStoreAsync(
        IGrainFactory grains, IndexPlacement from, IndexEntry before, IndexPlacement to, IndexEntry after,
        Func<Exception> nameTaken, Func<Task> store)
    {
        if (after.SameAs(before) && from == to)
        {
            await store();
            return;
        }

        if (await Index(grains, to.Index).ClaimAsync(after) is not null)
        {
            throw nameTaken();
        }

        try
        {
            if (to.CatalogOf(after.Guid) is { } catalog)
            {
                await Index(grains, catalog).PutAsync(after);
            }

            await store();
        }
        catch
        {
            await (to.Index == from.Index ? Index(grains, from.Index).PutAsync(before) : Index(grains, to.Index).ReleaseAsync(after.Guid));
            if (from.CatalogOf(before.Guid) is { } catalog)
            {
                await Index(grains, catalog).PutAsync(before);
            }

            throw;
        }

        if (to.Index != from.Index)
        {
            await Index(grains, from.Index).ReleaseAsync(before.Guid);
        }
    }

    /// <summary>Puts a stored resource's entry in its index and catalog again (moving indexes from an older layout).</summary>
    public static Task ReindexAsync(IGrainFactory grains, IndexPlacement placement, IndexEntry entry) =>
        Task.WhenAll(Index(grains, placement.Index).ClaimAsync(entry),
            placement.CatalogOf(entry.Guid) is { } catalog ? Index(grains, catalog).PutAsync(entry) : Task.CompletedTask);

    public static async Task ClearThenReleaseAsync(IGrainFactory grains, IndexPlacement placement, Guid guid, Func<Task> clear)
    {
        await clear();
        await ReleaseAsync(grains, placement, guid);
    }

    /// <summary>
    /// A parent's delete: refuses (AssociationNotEmpty) while children are indexed under it, unless recursive, in
    /// which case each child is deleted; a child whose creation never completed only has its claim dropped.
    /// </summary>
    public static async Task DeleteChildrenAsync(
        IGrainFactory grains, IndexPlacement children, bool recursive, string childKind, string parentKind,
        Func<Guid, Task> deleteChild, CfErrorCode childNotFound)
    {
        var index = Index(grains, children.Index);
        var first = IndexQuery.All(1, 100);
        var page = await index.QueryAsync(first);
        if (page.TotalResults > 0 && !recursive)
        {
            throw new CloudControllerException(CfErrorCode.AssociationNotEmpty,
                $"Please delete the {childKind} associations for your {parentKind}.");
        }

        while (page.TotalResults > 0)
        {
            await Task.WhenAll(page.Entries.Select(async child =>
            {
                try
                {
                    await deleteChild(child.Guid);
                }
                catch (CloudControllerException e) when (e.Code == childNotFound)
                {
                    await ReleaseAsync(grains, children, child.Guid);
                }
            }));
            page = await index.QueryAsync(first);
        }
    }

    private static async Task ClaimAsync(
        IGrainFactory grains, IndexPlacement placement, IndexEntry entry, Func<Exception> nameTaken, Func<Guid, Task<bool>>? holderExists)
    {
        var index = Index(grains, placement.Index);
        if (await index.ClaimAsync(entry) is { } holder)
        {
            if (holderExists is null || await holderExists(holder))
            {
                throw nameTaken();
            }

            await ReleaseAsync(grains, placement, holder);
            if (await index.ClaimAsync(entry) is not null)
            {
                throw nameTaken();
            }
        }
    }

    private static Task ReleaseAsync(IGrainFactory grains, IndexPlacement placement, Guid guid) =>
        Task.WhenAll(Index(grains, placement.Index).ReleaseAsync(guid), ReleaseCatalogAsync(grains, placement, guid));

    private static Task ReleaseCatalogAsync(IGrainFactory grains, IndexPlacement placement, Guid guid) =>
        placement.CatalogOf(guid) is { } catalog ? Index(grains, catalog).ReleaseAsync(guid) : Task.CompletedTask;

    private static IResourceIndexGrain Index(IGrainFactory grains, string key) => grains.GetGrain<IResourceIndexGrain>(key);
}
