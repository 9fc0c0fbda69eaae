namespace CloudController.GrainInterfaces.Buildpacks;

/// <summary>An admin buildpack as callers see it.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Buildpacks.BuildpackSnapshot")]
public sealed record BuildpackSnapshot(
    Guid Guid,
    string Name,
    int Position,
    bool Enabled,
    bool Locked,
    string? Filename,
    DateTimeOffset CreatedAt,
    DateTimeOffset? UpdatedAt);
