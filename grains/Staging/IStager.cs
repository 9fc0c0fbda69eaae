using CloudController.GrainInterfaces.Bits;
using CloudController.GrainInterfaces.Droplets;

namespace CloudController.Grains.Staging;

/// <summary>
/// Turns a package into a droplet. The built-in <see cref="BlobStager"/> detects a buildpack from the files and
/// stores the files plus a start command; a real build system can replace it behind this interface.
/// </summary>
public interface IStager
{
    /// <summary>Stages; raises <see cref="StagingFailedException"/> with a CF staging_failed_reason.</summary>
    Task<StagingOutcome> StageAsync(StagingRequest request, Guid dropletGuid, CancellationToken cancellationToken);
}

/// <summary>A successful staging: what was detected and the stored droplet.</summary>
public sealed record StagingOutcome(string Buildpack, string StartCommand, PackageInfo Droplet, System.Collections.Immutable.ImmutableDictionary<string, string> ProcessTypes);

/// <summary>Staging failed for a reason CF names (NoAppDetectedError, StagingError, ...).</summary>
public sealed class StagingFailedException(string reason, string description) : Exception(description)
{
    public string Reason { get; } = reason;
}
