using System.Collections.Immutable;
using CloudController.GrainInterfaces.Bits;

namespace CloudController.GrainInterfaces.Droplets;

/// <summary>What one staging produced: the detected buildpack, start command and stored droplet, or why it failed.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Droplets.StagingResult")]
public sealed record StagingResult(
    string? Buildpack,
    string? StartCommand,
    PackageInfo? Droplet,
    string? FailureReason,
    string? Description,
    ImmutableDictionary<string, string>? ProcessTypes = null)
{
    public static StagingResult Succeeded(string buildpack, string startCommand, PackageInfo droplet, ImmutableDictionary<string, string> processTypes) =>
        new(buildpack, startCommand, droplet, null, null, processTypes);

    public static StagingResult Failed(string reason, string description) => new(null, null, null, reason, description);
}
