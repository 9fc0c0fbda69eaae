namespace CloudController.GrainInterfaces.Indexes;

/// <summary>A resource that keeps an entry in an index (and a catalog partition).</summary>
[Alias("CloudController.GrainInterfaces.Indexes.IIndexedGrain")]
public interface IIndexedGrain : IGrainWithGuidKey
{
    /// <summary>Writes the resource's entry where it belongs, as stored now; a no-op for a resource that does not exist.</summary>
    [Alias("ReindexAsync")]
    Task ReindexAsync();
}
