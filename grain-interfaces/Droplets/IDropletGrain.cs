using CloudController.GrainInterfaces.Indexes;
using CloudController.GrainInterfaces.Work;
using Orleans.Concurrency;

namespace CloudController.GrainInterfaces.Droplets;

/// <summary>
/// A droplet (key: its guid): stages its package outside the grain's turns and reports the outcome to its app. No
/// turn of a droplet waits on its app, so the app may call any of these methods from inside its own turns.
/// </summary>
[Alias("CloudController.GrainInterfaces.Droplets.IDropletGrain")]
public interface IDropletGrain : IWorkerGrain<StagingResult>, IIndexedGrain
{
    /// <summary>Stores the droplet as STAGING and starts staging; answers at once. Idempotent.</summary>
    [Alias("StageAsync")]
    Task<DropletSnapshot> StageAsync(StagingRequest request);

    /// <summary>The app has taken the outcome; <paramref name="kept"/> false: no app runs this droplet (it expires).</summary>
    [Alias("AppNotifiedAsync")]
    Task AppNotifiedAsync(bool kept);

    /// <summary>
    /// Becomes a copy of the STAGED droplet <paramref name="source"/> for app <paramref name="app"/> (CC's
    /// <c>POST /v3/droplets?source_guid=</c>): its blob copied first, then the droplet stored STAGED with the source's
    /// buildpack, start command and process types. Idempotent; raises UnprocessableEntity for a droplet not STAGED.
    /// </summary>
    [Alias("CopyAsync")]
    Task<DropletSnapshot> CopyAsync(DropletSnapshot source, Guid app);

    /// <summary>
    /// Becomes an empty droplet of app <paramref name="app"/>, AWAITING_UPLOAD (CC's <c>POST /v3/droplets</c> without a
    /// source): its start command comes from <paramref name="processTypes"/> or, failing that, from the uploaded bits.
    /// Idempotent.
    /// </summary>
    [Alias("AwaitUploadAsync")]
    Task<DropletSnapshot> AwaitUploadAsync(Guid app, System.Collections.Immutable.ImmutableDictionary<string, string> processTypes);

    /// <summary>
    /// Bits were uploaded: AWAITING_UPLOAD (or FAILED by an earlier upload) → PROCESSING_UPLOAD. Raises
    /// UnprocessableEntity for a droplet in any other state (a staged droplet's bits are never replaced).
    /// </summary>
    [Alias("ProcessUploadAsync")]
    Task<DropletSnapshot> ProcessUploadAsync();

    /// <summary>The upload job's outcome: PROCESSING_UPLOAD → STAGED or FAILED. Idempotent.</summary>
    [Alias("UploadProcessedAsync")]
    Task<DropletSnapshot> UploadProcessedAsync(UploadedDroplet outcome);

    /// <summary>STAGED → EXPIRED: its blob is deleted (an app no longer runs it).</summary>
    [Alias("ExpireAsync")]
    Task ExpireAsync();

    /// <summary>Deletes the droplet and its blob; raises ResourceNotFound ("Droplet not found"). A staging still running is dropped.</summary>
    [Alias("DeleteAsync")]
    Task DeleteAsync();

    /// <summary>The droplet, or null when it does not exist. Read-only, so it may interleave with anything.</summary>
    [Alias("FindAsync"), AlwaysInterleave]
    Task<DropletSnapshot?> FindAsync();
}
