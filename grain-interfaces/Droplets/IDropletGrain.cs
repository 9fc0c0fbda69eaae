using CloudController.GrainInterfaces.Work;
using Orleans.Concurrency;

namespace CloudController.GrainInterfaces.Droplets;

/// <summary>A droplet (key: its guid): stages its package off the request path and reports the outcome to its app.</summary>
[Alias("CloudController.GrainInterfaces.Droplets.IDropletGrain")]
public interface IDropletGrain : IResumableGrain
{
    /// <summary>Stores the droplet as STAGING and starts staging; answers at once. Idempotent.</summary>
    [Alias("StageAsync")]
    Task<DropletSnapshot> StageAsync(StagingRequest request);

    /// <summary>STAGED → EXPIRED: its blob is deleted (an app no longer runs it).</summary>
    [Alias("ExpireAsync")]
    Task ExpireAsync();

    /// <summary>Deletes the droplet and its blob; raises ResourceNotFound ("Droplet not found"). May interleave with staging.</summary>
    [Alias("DeleteAsync"), AlwaysInterleave]
    Task DeleteAsync();

    /// <summary>The droplet, or null when it does not exist. Answers while staging runs.</summary>
    [Alias("FindAsync"), AlwaysInterleave]
    Task<DropletSnapshot?> FindAsync();
}
