using CloudController.GrainInterfaces.Indexes;

namespace CloudController.Grains.Indexes;

/// <summary>
/// The order every indexed resource follows: claim the name in its index, then store the resource, and give the
/// claim back if storing fails, so a name is never held by a resource that was not stored.
/// </summary>
internal static class IndexedWrite
{
    public static async Task ClaimThenStoreAsync(
        IGrainFactory grains, string index, IndexEntry entry, Func<Exception> nameTaken, Func<Task> store)
    {
        var indexGrain = grains.GetGrain<IResourceIndexGrain>(index);
        if (await indexGrain.ClaimAsync(entry) is not null)
        {
            throw nameTaken();
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
}
