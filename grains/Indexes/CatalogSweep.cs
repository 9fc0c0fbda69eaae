using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Indexes;
using CloudController.GrainInterfaces.Spaces;

namespace CloudController.Grains.Indexes;

/// <summary>
/// The periodic sweep of the records derived after a store. Spaces and apps are listed platform-wide from catalog
/// partitions written after their store; their name indexes (claimed before it) are the reference. The sweep reads
/// both, in memory in the index grains, and hands every difference to the resource concerned
/// (<see cref="IIndexedGrain.ConfirmEntryAsync"/>): one stored but missing from its catalog (its silo died before the
/// derived write, and nothing activated it since) is written there, one listed but gone or moved is taken out. It
/// activates only those resources: the cost is O(entries) index reads, not O(resources) activations.
/// </summary>
internal static class CatalogSweep
{
    private const int Page = 5000;
    private const int InFlight = 64;

    /// <summary>Reconciles the space and app catalogs with the name indexes; answers how many entries it had repaired.</summary>
    public static async Task<int> RunAsync(IGrainFactory grains)
    {
        var organizations = await EntriesAsync(grains, IndexKeys.AllOrganizations);
        var spaces = await EntriesAsync(grains, organizations.Keys.Select(IndexKeys.SpacesInOrganization));
        var repaired = await ReconcileAsync(grains, spaces, IndexKeys.Spaces, g => grains.GetGrain<ISpaceGrain>(g));
        var apps = await EntriesAsync(grains, spaces.Keys.Select(IndexKeys.AppsInSpace));
        return repaired + await ReconcileAsync(grains, apps, IndexKeys.Apps, g => grains.GetGrain<IAppGrain>(g));
    }

    private static async Task<int> ReconcileAsync(
        IGrainFactory grains, Dictionary<Guid, IndexEntry> named, string kind, Func<Guid, IIndexedGrain> resourceOf)
    {
        var listed = await EntriesAsync(grains, IndexKeys.Catalogs(kind));
        // A catalog entry holds no names besides its own: a rename in progress differs only in that.
        var differences = named.Values.Where(e => !(e with { Held = default }).SameAs(listed.GetValueOrDefault(e.Guid))).Select(e => e.Guid)
            .Concat(listed.Keys.Where(g => !named.ContainsKey(g)))
            .Distinct()
            .ToList();
        foreach (var chunk in differences.Chunk(InFlight))
        {
            await Task.WhenAll(chunk.Select(g => resourceOf(g).ConfirmEntryAsync(IndexKeys.Catalog(kind, g))));
        }

        return differences.Count;
    }

    /// <summary>Every entry of the given indexes, by guid.</summary>
    private static async Task<Dictionary<Guid, IndexEntry>> EntriesAsync(IGrainFactory grains, IEnumerable<string> indexes)
    {
        var found = new Dictionary<Guid, IndexEntry>();
        foreach (var chunk in indexes.Chunk(InFlight))
        {
            var pages = await Task.WhenAll(chunk.Select(key => AllAsync(grains.GetGrain<IResourceIndexGrain>(key))));
            foreach (var entry in pages.SelectMany(p => p))
            {
                found.TryAdd(entry.Guid, entry);
            }
        }

        return found;
    }

    private static async Task<List<IndexEntry>> AllAsync(IResourceIndexGrain index)
    {
        var all = new List<IndexEntry>();
        for (var page = 1; ; page++)
        {
            var found = await index.QueryAsync(IndexQuery.All(page, Page));
            all.AddRange(found.Entries);
            if (found.Entries.Length < Page)
            {
                return all;
            }
        }
    }
}
