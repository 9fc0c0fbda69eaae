using System.Collections.Immutable;

namespace CloudController.GrainInterfaces.Apps;

/// <summary>
/// A change to an app's settings, in the app's own terms (the v2 and v3 front-ends translate their JSON into it).
/// On create, null means "the default"; on update, null means "unchanged", and <see cref="Cleared"/> lists the
/// optional settings to reset to none.
/// </summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Apps.AppFields")]
public sealed record AppFields
{
    [Id(0)] public string? Name { get; init; }
    [Id(1)] public Guid? SpaceGuid { get; init; }
    [Id(2)] public Guid? StackGuid { get; init; }
    [Id(3)] public bool? Production { get; init; }
    [Id(4)] public string? Buildpack { get; init; }
    [Id(5)] public string? EnvironmentJson { get; init; }
    [Id(6)] public int? Memory { get; init; }
    [Id(7)] public int? Instances { get; init; }
    [Id(8)] public int? DiskQuota { get; init; }
    [Id(9)] public AppState? State { get; init; }
    [Id(10)] public string? Command { get; init; }
    [Id(11)] public bool? Console { get; init; }
    [Id(12)] public string? Debug { get; init; }
    [Id(13)] public string? HealthCheckType { get; init; }
    [Id(14)] public int? HealthCheckTimeout { get; init; }
    [Id(15)] public bool? Diego { get; init; }
    [Id(16)] public string? DockerImage { get; init; }
    [Id(17)] public bool? EnableSsh { get; init; }
    [Id(18)] public ImmutableArray<int>? Ports { get; init; }
    [Id(20)] public ImmutableHashSet<AppSetting> Cleared { get; init; } = [];
    [Id(21)] public string? HealthCheckHttpEndpoint { get; init; }

    /// <summary>v3 labels and annotations to set (a null value removes its key).</summary>
    [Id(22)] public Metadata.MetadataPatch? Metadata { get; init; }

    /// <summary>Environment variables to merge into the app's (a JSON object; a null value removes its key).</summary>
    [Id(23)] public string? EnvironmentPatch { get; init; }
}

/// <summary>The optional settings an update can reset to none.</summary>
public enum AppSetting { Buildpack, Command, Debug, HealthCheckTimeout, DockerImage, Ports, HealthCheckHttpEndpoint }
