using CloudController.GrainInterfaces.Bits;

namespace CloudController.GrainInterfaces.Droplets;

/// <summary>
/// What processing an uploaded droplet found: the stored blob with what its <c>staging_info.yml</c> says, or, when
/// the upload was not a droplet, <see cref="Error"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Droplets.UploadedDroplet")]
public sealed record UploadedDroplet(
    [property: Id(0)] PackageInfo? Blob,
    [property: Id(1)] string? StartCommand,
    [property: Id(2)] string? Buildpack,
    [property: Id(3)] string? Error)
{
    public static UploadedDroplet Invalid(string error) => new(null, null, null, error);
}
