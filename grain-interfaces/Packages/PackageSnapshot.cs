namespace CloudController.GrainInterfaces.Packages;

/// <summary>A v3 package as callers see it; <see cref="Bits"/> is set once READY.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Packages.PackageSnapshot")]
public sealed record PackageSnapshot(
    Guid Guid,
    Guid AppGuid,
    PackageType Type,
    PackageState State,
    string? Url,
    Bits.PackageInfo? Bits,
    string? Error,
    DateTimeOffset CreatedAt,
    DateTimeOffset? UpdatedAt);
