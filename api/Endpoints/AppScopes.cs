using System.Collections.Immutable;
using CloudController.GrainInterfaces.Indexes;

namespace CloudController.Api.Endpoints;

/// <summary>The apps-index scopes (space guids) a list asks for, from its space and organization filters.</summary>
internal static class AppScopes
{
    /// <summary>
    /// Spaces named directly, intersected with the spaces of the named organizations (one spaces-index call,
    /// never a scan of apps). Empty means no filter; filters that exclude every space match nothing.
    /// </summary>
    public static async Task<ImmutableArray<string>> ResolveAsync(IGrainFactory grains, ImmutableArray<Guid> spaces, ImmutableArray<Guid> organizations)
    {
        var scopes = spaces.IsDefaultOrEmpty ? [] : spaces.Select(IndexNames.Scope).ToImmutableArray();
        if (organizations.IsDefaultOrEmpty)
        {
            return scopes;
        }

        var orgSpaces = await grains.GetGrain<IResourceIndexGrain>(IndexNames.Spaces).QueryAsync(
            new IndexQuery([], [], [.. organizations.Select(IndexNames.Scope)], IndexOrder.Id, false, 1, int.MaxValue));
        var inOrgs = orgSpaces.Entries.Select(e => IndexNames.Scope(e.Guid)).ToImmutableArray();
        scopes = scopes.IsEmpty ? inOrgs : [.. scopes.Intersect(inOrgs)];
        return scopes.IsEmpty ? ["\0"] : scopes;
    }
}
