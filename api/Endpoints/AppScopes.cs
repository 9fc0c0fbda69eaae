using System.Collections.Immutable;
using CloudController.GrainInterfaces.Indexes;

namespace CloudController.Api.Endpoints;

/// <summary>The apps indexes a list asks, from its space and organization filters.</summary>
internal static class AppScopes
{
    /// <summary>
    /// The named spaces' indexes, intersected with the spaces of the named organizations (one call per organization's
    /// spaces index, never a scan of apps). No filter means the apps catalog; filters that exclude every space, none.
    /// </summary>
    public static async Task<ImmutableArray<string>> ResolveAsync(
        IGrainFactory grains, ImmutableArray<Guid> spaces, ImmutableArray<Guid> organizations, ImmutableArray<Guid> guids)
    {
        if (spaces.IsDefaultOrEmpty && organizations.IsDefaultOrEmpty)
        {
            return Paging.Lists.Catalog(IndexKeys.Apps, guids);
        }

        IEnumerable<Guid> chosen = spaces.IsDefaultOrEmpty ? [] : spaces;
        if (!organizations.IsDefaultOrEmpty)
        {
            var orgSpaces = await Paging.Lists.Of(grains).EntriesAsync(
                [.. organizations.Select(IndexKeys.SpacesInOrganization)], IndexQuery.All(1, int.MaxValue));
            var inOrgs = orgSpaces.Entries.Select(e => e.Guid);
            chosen = spaces.IsDefaultOrEmpty ? inOrgs : chosen.Intersect(inOrgs);
        }

        return [.. chosen.Distinct().Select(IndexKeys.AppsInSpace)];
    }
}
