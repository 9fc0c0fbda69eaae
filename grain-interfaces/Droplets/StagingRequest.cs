using CloudController.GrainInterfaces.Bits;

namespace CloudController.GrainInterfaces.Droplets;

/// <summary>What to stage: an app's package, with an explicit buildpack (name or URL) or null to detect one.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Droplets.StagingRequest")]
public sealed record StagingRequest(Guid AppGuid, PackageInfo Package, string? Buildpack, Guid StackGuid);
