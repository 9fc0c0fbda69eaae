using CloudController.GrainInterfaces.Bits;

namespace CloudController.Grains.Bits;

/// <summary>The narrow storage service grains use for bits; blobs never pass through grain messages.</summary>
public interface IBitsService
{
    /// <summary>Builds and stores the package of an upload (its zip and fingerprints, in the uploads container) for <paramref name="appGuid"/>.</summary>
    Task<PackageInfo> BuildPackageAsync(Guid appGuid, Guid uploadId, bool hasApplication, Guid packageGuid, CancellationToken cancellationToken);

    /// <summary>Copies a stored package blob, server side, to a new package.</summary>
    Task<PackageInfo> CopyPackageAsync(PackageInfo source, Guid packageGuid, CancellationToken cancellationToken);

    /// <summary>Deletes a package blob; a no-op when it is gone already.</summary>
    Task DeletePackageAsync(Guid packageGuid, CancellationToken cancellationToken);

    /// <summary>Copies droplet <paramref name="source"/>'s blob to <paramref name="dropletGuid"/>'s; raises DropletNotFound when the source blob is gone.</summary>
    Task<PackageInfo> CopyDropletAsync(PackageInfo source, Guid sourceDroplet, Guid dropletGuid, CancellationToken cancellationToken);

    /// <summary>Deletes a droplet blob; a no-op when it is gone already.</summary>
    Task DeleteDropletAsync(Guid dropletGuid, CancellationToken cancellationToken);

    /// <summary>Deletes what an upload left in the uploads container.</summary>
    Task DeleteUploadAsync(Guid uploadId, CancellationToken cancellationToken);
}
