namespace CloudController.GrainInterfaces.Indexes;

/// <summary>
/// One index (key: one the grains name, such as an organization's spaces or a catalog partition): the resources of one scope, with names unique in it and
/// compared case-insensitively, or one partition of a kind's catalog (no uniqueness). Listing never touches the
/// resources' own grains.
/// </summary>
[Alias("CloudController.GrainInterfaces.Indexes.IResourceIndexGrain")]
public interface IResourceIndexGrain : IGrainWithStringKey
{
    /// <summary>Adds or replaces the entry with this guid (a new resource, a rename, new tags) unless another guid holds its
    /// name; answers that guid, or null when the entry is in.</summary>
    [Alias("ClaimAsync"), ResponseTimeout(Hosting.CallBounds.Nested)]
    Task<Guid?> ClaimAsync(IndexEntry entry);

    /// <summary>Adds or replaces an entry without any name check (catalog partitions).</summary>
    [Alias("PutAsync"), ResponseTimeout(Hosting.CallBounds.Nested)]
    Task PutAsync(IndexEntry entry);

    /// <summary>Removes an entry; a no-op for an unknown guid.</summary>
    [Alias("ReleaseAsync"), ResponseTimeout(Hosting.CallBounds.Nested)]
    Task ReleaseAsync(Guid guid);

    /// <summary>One page of the entries matching the query, in the query's order, with the count of all matches.</summary>
    [Alias("QueryAsync"), ResponseTimeout(Hosting.CallBounds.Nested)]
    Task<IndexPage> QueryAsync(IndexQuery query);
}
