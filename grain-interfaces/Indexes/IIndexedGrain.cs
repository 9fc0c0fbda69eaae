namespace CloudController.GrainInterfaces.Indexes;

/// <summary>A resource that keeps an entry in an index (and a catalog partition).</summary>
[Alias("CloudController.GrainInterfaces.Indexes.IIndexedGrain")]
public interface IIndexedGrain : IGrainWithGuidKey
{
    /// <summary>Writes the resource's entry where it belongs, as stored now; a no-op for a resource that does not exist.</summary>
    [Alias("ReindexAsync")]
    Task ReindexAsync();

    /// <summary>
    /// Whether the resource, as stored, belongs in <paramref name="index"/>: its right entry is written there (true),
    /// or its entry there is removed (false: it does not exist, moved, or was renamed away). Runs in the resource's own
    /// turn, so it answers only once a store the resource is running has ended: a claim still being stored is never
    /// taken away. Indexes and lists call it to repair an entry that does not match its resource.
    /// </summary>
    [Alias("ConfirmEntryAsync"), ResponseTimeout(Hosting.CallBounds.Nested)]
    Task<bool> ConfirmEntryAsync(string index);
}
