using System.Collections.Immutable;
using CloudController.GrainInterfaces.Droplets;

namespace CloudController.Grains.Droplets;

/// <summary>
/// The droplet state machine: STAGING → STAGED | FAILED, STAGED → EXPIRED, and for uploaded droplets AWAITING_UPLOAD →
/// PROCESSING_UPLOAD → STAGED | FAILED (a FAILED upload may be uploaded again). Pure: no I/O, no clock, no Orleans.
/// </summary>
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

    /// <summary>An empty droplet of <paramref name="app"/> waiting for its bits (<c>POST /v3/droplets</c>).</summary>
    public static DropletSnapshot AwaitUpload(Guid guid, Guid app, ImmutableDictionary<string, string> processTypes, DateTimeOffset now) =>
        new(guid, app, Guid.Empty, DropletState.AwaitingUpload, null, processTypes.GetValueOrDefault("web"), null, null, null, now, null,
            ProcessTypes: processTypes);

    public static DropletSnapshot ProcessUpload(DropletSnapshot droplet, DateTimeOffset now) =>
        droplet with { State = DropletState.ProcessingUpload, FailureReason = null, Error = null, UpdatedAt = now };

    /// <summary>
    /// The upload's outcome. The start command is the one the droplet was created with, else the one its
    /// <c>staging_info.yml</c> names.
    /// </summary>
    public static DropletSnapshot Uploaded(DropletSnapshot droplet, UploadedDroplet outcome, DateTimeOffset now)
    {
        if (droplet.State != DropletState.ProcessingUpload)
        {
            return droplet;
        }

        if (outcome.Blob is not { } blob)
        {
            return droplet with { State = DropletState.Failed, FailureReason = "DropletUploadInvalid", Error = outcome.Error, UpdatedAt = now };
        }

        var types = droplet.Types;
        var web = types.GetValueOrDefault("web") is { Length: > 0 } given ? given : outcome.StartCommand ?? "";
        return droplet with
        {
            State = DropletState.Staged,
            Blob = blob,
            Buildpack = outcome.Buildpack,
            StartCommand = web,
            ProcessTypes = types.SetItem("web", web),
            UpdatedAt = now,
        };
    }
}
