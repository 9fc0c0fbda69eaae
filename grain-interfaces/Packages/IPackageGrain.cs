using CloudController.GrainInterfaces.Indexes;
using CloudController.GrainInterfaces.Bits;
using CloudController.GrainInterfaces.Work;
using Orleans.Concurrency;

namespace CloudController.GrainInterfaces.Packages;

/// <summary>
/// A v3 package (key: its guid): what was uploaded for an app and where processing stands. Builds and copies run
/// outside the grain's turns; their outcome, the stored package, comes back through
/// <see cref="IWorkerGrain{TResult}.CompleteWorkAsync"/>, so every call here answers while a build runs.
/// </summary>
[Alias("CloudController.GrainInterfaces.Packages.IPackageGrain")]
public interface IPackageGrain : IWorkerGrain<PackageInfo>, IIndexedGrain
{
    /// <summary>bits → AWAITING_UPLOAD, docker → READY.</summary>
    [Alias("CreateAsync")]
    Task<PackageSnapshot> CreateAsync(Guid appGuid, PackageType type, string? url);

    /// <summary>A copy of another package for <paramref name="appGuid"/>: docker → READY, bits → COPYING then READY/FAILED.</summary>
    [Alias("CopyAsync")]
    Task<PackageSnapshot> CopyAsync(Guid appGuid, PackageSnapshot source);

    /// <summary>AWAITING_UPLOAD → PROCESSING_UPLOAD and processing starts; raises PackageBitsAlreadyUploaded otherwise.</summary>
    [Alias("BeginUploadAsync")]
    Task<PackageSnapshot> BeginUploadAsync(Guid uploadId, bool hasApplication);

    /// <summary>
    /// Records bits a v2 upload or copy stored for the app as a READY bits package with this guid (the blob's), so the
    /// app's v3 views show it; repeating it changes nothing.
    /// </summary>
    [Alias("AdoptAsync")]
    Task<PackageSnapshot> AdoptAsync(Guid appGuid, Bits.PackageInfo bits);

    /// <summary>The package, or null when it does not exist. Read-only, so it may interleave with anything.</summary>
    [Alias("FindAsync"), AlwaysInterleave]
    Task<PackageSnapshot?> FindAsync();

    /// <summary>READY → EXPIRED: the hash is cleared and the bits deleted.</summary>
    [Alias("ExpireAsync")]
    Task ExpireAsync();

    /// <summary>Deletes the package and its bits; raises ResourceNotFound ("Package not found").</summary>
    [Alias("DeleteAsync")]
    Task DeleteAsync();
}
