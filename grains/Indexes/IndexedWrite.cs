using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Indexes;

namespace CloudController.Grains.Indexes;

/// <summary>
/// The order every indexed resource follows: claim the name in its index, then store the resource, and give the
/// claim back if storing fails, so a name is never held by a resource that was not stored.
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
        IGrainFactory grains, string index, IndexEntry entry, Func<Exception> nameTaken, Func<Task> store,
        Func<Guid, Task<bool>>? holderExists = null)
    {
        var indexGrain = grains.GetGrain<IResourceIndexGrain>(index);
        if (await indexGrain.ClaimAsync(entry) is { } holder)
        {
            if (holderExists is null || await holderExists(holder))
            {
                throw nameTaken();
            }

            await indexGrain.ReleaseAsync(holder);
            if (await indexGrain.ClaimAsync(entry) is not null)
            {
                throw nameTaken();
            }
        }

        try
        {
            await store();
        }
        catch
        {
            await indexGrain.ReleaseAsync(entry.Guid);
            throw;
        }
    }

    public static async Task UpdateThenStoreAsync(
        IGrainFactory grains, string index, IndexEntry entry, Func<Exception> nameTaken, Func<Task> store)
    {
        if (await grains.GetGrain<IResourceIndexGrain>(index).UpdateAsync(entry) is not null)
        {
            throw nameTaken();
        }

        await store();
    }

    public static async Task ClearThenReleaseAsync(IGrainFactory grains, string index, Guid guid, Func<Task> clear)
    {
        await clear();
        await grains.GetGrain<IResourceIndexGrain>(index).ReleaseAsync(guid);
    }

    /// <summary>
    /// A parent's delete: refuses (AssociationNotEmpty) while children are indexed under it, unless recursive, in
    /// which case each child is deleted; a child whose creation never completed only has its claim dropped.
    /// </summary>
    public static async Task DeleteChildrenAsync(
        IGrainFactory grains, string childIndex, Guid parent, bool recursive, string childKind, string parentKind,
        Func<Guid, Task> deleteChild, CfErrorCode childNotFound)
    {
        var index = grains.GetGrain<IResourceIndexGrain>(childIndex);
        var children = new IndexQuery([], [], [IndexNames.Scope(parent)], IndexOrder.Id, false, 1, 100);
        var page = await index.QueryAsync(children);
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
                    await index.ReleaseAsync(child.Guid);
                }
            }));
            page = await index.QueryAsync(children);
        }
    }
}
