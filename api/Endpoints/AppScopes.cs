using System.Collections.Immutable;
using CloudController.GrainInterfaces.Access;
using CloudController.GrainInterfaces.Indexes;

namespace CloudController.Api.Endpoints;

/// <summary>The apps indexes a list asks, from its space and organization filters.</summary>
internal static class AppScopes
{
    /// <summary>
    /// The named spaces' indexes, intersected with the spaces of the named organizations (one call per organization's
    /// spaces index, never a scan of apps). No filter means the apps catalog; filters that exclude every space, none.
    /// A caller restricted to <paramref name="visible"/> scopes reads only its spaces' indexes, filtered the same way.
    /// </summary>
    public static async Task<ImmutableArray<string>> ResolveAsync(
        IGrainFactory grains, ImmutableArray<Guid> spaces, ImmutableArray<Guid> organizations, ImmutableArray<Guid> guids, VisibleScopes? visible)
    {
        if (visible is not null)
        {
            return [.. Within(visible, spaces, organizations).Select(IndexKeys.AppsInSpace)];
        }

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

    /// <summary>The caller's spaces that pass the space and organization filters (each empty filter passes all).</summary>
    public static IEnumerable<Guid> Within(VisibleScopes visible, ImmutableArray<Guid> spaces, ImmutableArray<Guid> organizations) =>
        visible.Spaces
            .Where(s => (spaces.IsDefaultOrEmpty || spaces.Contains(s.Key)) && (organizations.IsDefaultOrEmpty || organizations.Contains(s.Value)))
            .Select(s => s.Key);

    /// <summary>
    /// For a restricted caller, the per-app indexes (packages, droplets) of the apps in its spaces, within an app
    /// filter: O(apps in the caller's spaces) index entries, one call.
    /// </summary>
    public static async Task<ImmutableArray<string>> PerAppAsync(
        IGrainFactory grains, VisibleScopes visible, ImmutableArray<Guid> apps, Func<Guid, string> indexOf)
    {
        if (visible.Spaces.IsEmpty)
        {
            return [];
        }

        var query = IndexQuery.All(1, int.MaxValue) with { Guids = apps.IsDefault ? [] : apps };
        var mine = await Paging.Lists.Of(grains).EntriesAsync([.. visible.Spaces.Keys.Select(IndexKeys.AppsInSpace)], query);
        return [.. mine.Entries.Select(e => indexOf(e.Guid))];
    }
}
