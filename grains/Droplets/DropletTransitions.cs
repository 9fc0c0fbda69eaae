using CloudController.GrainInterfaces.Droplets;

namespace CloudController.Grains.Droplets;

/// <summary>The droplet state machine: STAGING → STAGED | FAILED, STAGED → EXPIRED. Pure: no I/O, no clock, no Orleans.</summary>
internal static class DropletTransitions
{
    public static DropletSnapshot Stage(Guid guid, StagingRequest request, DateTimeOffset now) =>
        new(guid, request.AppGuid, request.Package.PackageGuid, DropletState.Staging, null, null, null, null, null, now, null, request);

    /// <summary>The outcome of staging; only a STAGING droplet takes one.</summary>
    public static DropletSnapshot Complete(DropletSnapshot droplet, StagingResult result, DateTimeOffset now) => droplet.State switch
    {
        DropletState.Staging when result.Droplet is { } blob => droplet with
        {
            State = DropletState.Staged,
            Buildpack = result.Buildpack,
            StartCommand = result.StartCommand,
            ProcessTypes = result.ProcessTypes,
            Blob = blob,
            UpdatedAt = now,
        },
        DropletState.Staging => Fail(droplet, result.FailureReason ?? StagingFailureReasons.StagingError, result.Description ?? "staging failed", now),
        _ => droplet,
    };

    public static DropletSnapshot Fail(DropletSnapshot droplet, string reason, string description, DateTimeOffset now) =>
        droplet.State == DropletState.Staging
            ? droplet with { State = DropletState.Failed, FailureReason = reason, Error = $"{reason} - {description}", UpdatedAt = now }
            : droplet;

    public static DropletSnapshot Expire(DropletSnapshot droplet, DateTimeOffset now) =>
        droplet.State == DropletState.Staged ? droplet with { State = DropletState.Expired, UpdatedAt = now } : droplet;
}
