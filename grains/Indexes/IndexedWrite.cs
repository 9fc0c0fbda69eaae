using System.Collections.Immutable;
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

    /// <summary>An organization: its name partition, and the list of the organizations its quota applies to.</summary>
    public static IndexPlacement Organization(string name, Guid quota) =>
        new(IndexKeys.Organizations(name), null) { Listing = IndexKeys.OrganizationsOfQuota(quota) };

    public static IndexPlacement Buildpack(string name) => new(IndexKeys.Buildpacks(name), null);

    /// <summary>A kind with one index and no listing (users, UAA users).</summary>
    public static IndexPlacement Only(string index) => new(index, null);

    public string? CatalogOf(Guid guid) => Listing ?? (CatalogKind is { } kind ? IndexKeys.Catalog(kind, guid) : null);

    /// <summary>Every index a resource at this placement has an entry in.</summary>
    public IEnumerable<string> Keys(Guid guid) => CatalogOf(guid) is { } listing ? [Index, listing] : [Index];
}

/// <summary>
/// How indexed resources keep their entries, with the stored state as the one commit point. Before the store, only
/// the name is claimed in the resource's name index (uniqueness cannot wait); a rename claims the new name while
/// still holding the old one (<see cref="IndexEntry.Held"/>). After the store, everything else is derived from what
/// was stored, idempotently: the entry written where it belongs (the held names let go) and into its listing, and
/// taken out of the indexes the change left. Nothing is undone when a store fails: an entry that does not match its
/// resource (a claim whose store failed, a listing not yet written, an entry a lost silo never released) is repaired
/// by the resource itself (<see cref="ConfirmAsync"/>) when a claim meets it, a list loads it, or the resource is
/// activated with derived work outstanding.
/// </summary>
internal static class IndexedWrite
{
    /// <summary>
    /// Claims <paramref name="entry"/>'s name before a store. A name held by another resource is asked of that
    /// resource first (<see cref="IIndexedGrain.ConfirmEntryAsync"/>, in its own turn, so it waits for a store it is
    /// running): one that does not hold it as stored (its store failed, or it was renamed or deleted since) gives the
    /// entry back, and the name is claimed again.
    /// </summary>
    public static async Task ClaimAsync(
        IGrainFactory grains, string nameIndex, IndexEntry entry, Func<Exception> nameTaken, Func<Guid, IIndexedGrain> holderOf)
    {
        var index = Index(grains, nameIndex);
        if (await index.ClaimAsync(entry) is not { } holder)
        {
            return;
        }

        if (await holderOf(holder).ConfirmEntryAsync(nameIndex) || await index.ClaimAsync(entry) is not null)
        {
            throw nameTaken();
        }
    }

    /// <summary>
    /// Before an update's store: when the entry changes, claims it in the name index it will live in, holding the
    /// old name too when it stays in the same index. Nothing when the index keeps nothing that changed.
    /// </summary>
    public static Task ClaimChangeAsync(
        IGrainFactory grains, IndexPlacement from, IndexEntry before, IndexPlacement to, IndexEntry after,
        Func<Exception> nameTaken, Func<Guid, IIndexedGrain> holderOf)
    {
        if (after.SameAs(before) && from == to)
        {
            return Task.CompletedTask;
        }

        var claim = from.Index == to.Index && !string.Equals(before.Name, after.Name, StringComparison.Ordinal)
            ? after with { Held = [before.Name] }
            : after;
        return ClaimAsync(grains, to.Index, claim, nameTaken, holderOf);
    }

    /// <summary>The indexes a change from <paramref name="from"/> to <paramref name="to"/> leaves: released after the store.</summary>
    public static ImmutableArray<string> Left(IndexPlacement from, IndexPlacement to, Guid guid) =>
        [.. from.Keys(guid).Except(to.Keys(guid), StringComparer.Ordinal)];

    /// <summary>
    /// After the store: the stored entry in its name index (any held name let go) and its listing, and the resource
    /// out of <paramref name="releases"/>. Idempotent: writing what is already there stores nothing.
    /// </summary>
    public static Task DeriveAsync(IGrainFactory grains, IndexPlacement placement, IndexEntry entry, IEnumerable<string> releases)
    {
        // Releases gathered over several changes may name where the resource is again (moved away and back).
        var keys = placement.Keys(entry.Guid).ToList();
        return Task.WhenAll(keys.Select(key => Index(grains, key).PutAsync(entry))
            .Concat(releases.Except(keys, StringComparer.Ordinal).Select(key => Index(grains, key).ReleaseAsync(entry.Guid))));
    }

    /// <summary>After a resource's state is cleared: out of every index it was in.</summary>
    public static Task ReleaseAsync(IGrainFactory grains, IndexPlacement placement, Guid guid) =>
        Task.WhenAll(placement.Keys(guid).Select(key => Index(grains, key).ReleaseAsync(guid)));

    /// <summary>
    /// A resource's answer about its entry in <paramref name="index"/>, from its stored state (<paramref name="stored"/>:
    /// its placement and entry, null when it does not exist): the right entry is written there and true answered when
    /// the resource belongs in that index; otherwise its entry there is removed and false answered.
    /// </summary>
    public static async Task<bool> ConfirmAsync(IGrainFactory grains, string index, Guid guid, (IndexPlacement Placement, IndexEntry Entry)? stored)
    {
        if (stored is { } s && s.Placement.Keys(guid).Contains(index, StringComparer.Ordinal))
        {
            await Index(grains, index).PutAsync(s.Entry);
            return true;
        }

        await Index(grains, index).ReleaseAsync(guid);
        return false;
    }

    /// <summary>
    /// A parent's delete: refuses (AssociationNotEmpty) while a child is indexed under it. An entry whose child does not
    /// exist is repaired away by the child (in its own turn, so a child being created is waited for) and does not count.
    /// </summary>
    public static async Task RefuseChildrenAsync(
        IGrainFactory grains, string childIndex, string childKind, string parentKind, Func<Guid, IIndexedGrain> childOf)
    {
        for (var round = 0; round < 100; round++)
        {
            var page = await Index(grains, childIndex).QueryAsync(IndexQuery.All(1, 10));
            if (page.TotalResults == 0)
            {
                return;
            }

            foreach (var child in page.Entries)
            {
                if (await childOf(child.Guid).ConfirmEntryAsync(childIndex))
                {
                    throw new CloudControllerException(CfErrorCode.AssociationNotEmpty, $"Please delete the {childKind} associations for your {parentKind}.");
                }
            }
        }

        throw new CloudControllerException(CfErrorCode.AssociationNotEmpty, $"Please delete the {childKind} associations for your {parentKind}.");
    }

    /// <summary>
    /// Deletes every child indexed under a parent, a page at a time, each by its own call (<paramref name="deleteChild"/>,
    /// outside any turn of the parent's: a deletion job's work). A child already gone is repaired out of the index; a
    /// pass that removes nothing fails with a clear error instead of spinning.
    /// </summary>
    public static async Task DeleteChildrenAsync(
        IGrainFactory grains, string childIndex, string childKind, string parentKind,
        Func<Guid, Task> deleteChild, Func<Guid, IIndexedGrain> childOf, CancellationToken cancellationToken)
    {
        var index = Index(grains, childIndex);
        var first = IndexQuery.All(1, 100);
        var page = await index.QueryAsync(first);
        while (page.TotalResults > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var before = page.TotalResults;
            foreach (var chunk in page.Entries.Chunk(16))
            {
                await Task.WhenAll(chunk.Select(async child =>
                {
                    if (await childOf(child.Guid).ConfirmEntryAsync(childIndex))
                    {
                        await deleteChild(child.Guid);
                    }
                }));
            }

            page = await index.QueryAsync(first);
            if (page.TotalResults >= before)
            {
                throw new CloudControllerException(CfErrorCode.UnknownError,
                    $"A {childKind} of this {parentKind} could not be deleted; the {parentKind} was kept.");
            }
        }
    }

    private static IResourceIndexGrain Index(IGrainFactory grains, string key) => grains.GetGrain<IResourceIndexGrain>(key);
}
