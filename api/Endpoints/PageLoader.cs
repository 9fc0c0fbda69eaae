using System.Collections.Immutable;
using CloudController.GrainInterfaces.Indexes;

namespace CloudController.Api.Endpoints;

/// <summary>Loads one index page's resources from their grains in parallel: O(page) grain calls, whatever the total.</summary>
internal static class PageLoader
{
    public static async Task<IReadOnlyList<TSnapshot>> LoadAsync<TSnapshot>(IndexPage page, Func<Guid, Task<TSnapshot?>> find)
        where TSnapshot : class
    {
        var loaded = await Task.WhenAll(page.Entries.Select(e => find(e.Guid)));
        // A resource deleted between the index read and its own read simply drops out of the page.
        return loaded.OfType<TSnapshot>().ToImmutableArray();
    }
}
