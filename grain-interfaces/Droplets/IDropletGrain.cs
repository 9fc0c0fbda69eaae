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
