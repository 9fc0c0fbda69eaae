using CloudController.GrainInterfaces.Bits;

namespace CloudController.GrainInterfaces.Droplets;

/// <summary>A droplet (the result of staging one package) as callers see it.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Droplets.DropletSnapshot")]
public sealed record DropletSnapshot(
    Guid Guid,
    Guid AppGuid,
    Guid PackageGuid,
    DropletState State,
    string? Buildpack,
    string? StartCommand,
    string? FailureReason,
    string? Error,
    PackageInfo? Blob,
    DateTimeOffset CreatedAt,
    DateTimeOffset? UpdatedAt,
    StagingRequest? Request = null,
    System.Collections.Immutable.ImmutableDictionary<string, string>? ProcessTypes = null)
{
    /// <summary>The droplet's process types (its Procfile's, with <c>web</c> the start command); droplets staged before they were kept have <c>web</c> only.</summary>
    public System.Collections.Immutable.ImmutableDictionary<string, string> Types =>
        ProcessTypes ?? System.Collections.Immutable.ImmutableDictionary<string, string>.Empty.Add("web", StartCommand ?? "");

    /// <summary>Takes uploaded bits: an uploaded droplet still awaiting them, or whose last upload failed (a staged droplet's bits are never replaced).</summary>
    public bool AcceptsUpload => State is DropletState.AwaitingUpload or DropletState.Failed && Request is null;
}
