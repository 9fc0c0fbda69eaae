namespace CloudController.GrainInterfaces.Indexes;

/// <summary>
/// Name uniqueness and paged listing for one kind of resource (key: an <see cref="IndexNames"/> value).
/// Names are unique per scope, compared case-insensitively; listing never touches the resources' own grains.
/// </summary>
[Alias("CloudController.GrainInterfaces.Indexes.IResourceIndexGrain")]
public interface IResourceIndexGrain : IGrainWithStringKey
{
    /// <summary>Adds an entry; answers the guid already holding the name in that scope, or null when the claim succeeded.</summary>
    [Alias("ClaimAsync")]
    Task<Guid?> ClaimAsync(IndexEntry entry);

    /// <summary>Replaces an entry (rename, update time); answers the guid holding the new name, or null on success.</summary>
    [Alias("UpdateAsync")]
    Task<Guid?> UpdateAsync(IndexEntry entry);

    /// <summary>Removes an entry; a no-op for an unknown guid.</summary>
    [Alias("ReleaseAsync")]
    Task ReleaseAsync(Guid guid);

    /// <summary>One page of the entries matching the query, in the query's order.</summary>
    [Alias("QueryAsync")]
    Task<IndexPage> QueryAsync(IndexQuery query);
}
