using CloudController.GrainInterfaces.Bits;

namespace CloudController.GrainInterfaces.Droplets;

/// <summary>
/// What to stage: an app's package, with an explicit buildpack (name or URL) or null to detect one.
/// <see cref="SetsCurrentDroplet"/>: v2 staging makes the droplet the app's current one; v3 leaves that to the user.
/// </summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Droplets.StagingRequest")]
public sealed record StagingRequest(
    Guid AppGuid,
    PackageInfo Package,
    string? Buildpack,
    Guid StackGuid,
    bool SetsCurrentDroplet = true,
    int MemoryLimit = 1024,
    int DiskLimit = 4096,
    string EnvironmentVariables = "{}");
