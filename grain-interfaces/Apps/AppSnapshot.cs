using System.Collections.Immutable;

namespace CloudController.GrainInterfaces.Apps;

/// <summary>A v2 app as callers see it: every field of the v2 entity plus what the server keeps about its bits.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Apps.AppSnapshot")]
public sealed record AppSnapshot
{
    [Id(0)] public Guid Guid { get; init; }
    [Id(1)] public string Name { get; init; } = "";
    [Id(2)] public Guid SpaceGuid { get; init; }
    [Id(3)] public Guid StackGuid { get; init; }
    [Id(4)] public bool Production { get; init; }
    [Id(5)] public string? Buildpack { get; init; }
    [Id(6)] public string? DetectedBuildpack { get; init; }
    /// <summary>The <c>environment_json</c> object as JSON text (values may be any JSON).</summary>
    [Id(7)] public string EnvironmentJson { get; init; } = "{}";
    [Id(8)] public int Memory { get; init; }
    [Id(9)] public int Instances { get; init; }
    [Id(10)] public int DiskQuota { get; init; }
    [Id(11)] public AppState State { get; init; }
    [Id(12)] public Guid Version { get; init; }
    [Id(13)] public string? Command { get; init; }
    [Id(14)] public bool Console { get; init; }
    [Id(15)] public string? Debug { get; init; }
    [Id(16)] public string? StagingTaskId { get; init; }
    [Id(17)] public AppPackageState PackageState { get; init; }
    [Id(18)] public string HealthCheckType { get; init; } = "port";
    [Id(19)] public int? HealthCheckTimeout { get; init; }
    [Id(20)] public string? StagingFailedReason { get; init; }
    [Id(21)] public string? StagingFailedDescription { get; init; }
    [Id(22)] public bool Diego { get; init; }
    [Id(23)] public string? DockerImage { get; init; }
    [Id(24)] public DateTimeOffset? PackageUpdatedAt { get; init; }
    [Id(25)] public string DetectedStartCommand { get; init; } = "";
    [Id(26)] public bool EnableSsh { get; init; }
    [Id(27)] public ImmutableArray<int>? Ports { get; init; }
    /// <summary>sha1 of the stored package zip (<see cref="Package"/>); null until bits were stored.</summary>
    [Id(28)] public string? PackageHash { get; init; }
    [Id(29)] public DateTimeOffset CreatedAt { get; init; }
    [Id(30)] public DateTimeOffset? UpdatedAt { get; init; }
    /// <summary>The stored package (blob, sha1, size); null until bits were stored.</summary>
    [Id(31)] public Bits.PackageInfo? Package { get; init; }
    /// <summary>The droplet the app runs (the last successful staging); null until staged.</summary>
    [Id(32)] public Guid? CurrentDropletGuid { get; init; }
    /// <summary>The processes other than web (the current droplet's Procfile types), by type; null for none.</summary>
    [Id(33)] public ImmutableArray<AppProcess>? OtherProcesses { get; init; }
    /// <summary>The path an <c>http</c> health check asks; null for the default (<c>/</c>).</summary>
    [Id(34)] public string? HealthCheckHttpEndpoint { get; init; }
    /// <summary>v3 labels and annotations.</summary>
    [Id(35)] public Metadata.ResourceMetadata Metadata { get; init; } = GrainInterfaces.Metadata.ResourceMetadata.Empty;
}
