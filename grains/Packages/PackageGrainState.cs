using CloudController.GrainInterfaces.Packages;

namespace CloudController.Grains.Packages;

/// <summary>Persisted form of a package. Ids are permanent: add new ones, never renumber.</summary>
[GenerateSerializer, Alias("CloudController.Grains.Packages.PackageGrainState")]
public sealed record PackageGrainState
{
    [Id(0)] public PackageSnapshot? Package { get; init; }
    /// <summary>The upload being processed (PROCESSING_UPLOAD), kept so a restarted silo can process it again.</summary>
    [Id(1)] public Guid? UploadId { get; init; }
    /// <summary>The package being copied (COPYING).</summary>
    [Id(2)] public PackageSnapshot? CopySource { get; init; }
    /// <summary>Attempts made at the upload or copy in flight, across activations.</summary>
    [Id(3)] public int Attempts { get; init; }

    /// <summary>Derived work the last stored change still owes (see <see cref="Storage.Outstanding"/>).</summary>
    [Id(4)] public Storage.Outstanding? Outstanding { get; init; }

    /// <summary>The upload in flight sent only matched resources (no zip); false for a zip, as stored before this field.</summary>
    [Id(5)] public bool ResourcesOnly { get; init; }
}
