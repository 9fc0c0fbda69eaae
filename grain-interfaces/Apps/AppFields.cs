using System.Collections.Immutable;

namespace CloudController.GrainInterfaces.Apps;

/// <summary>
/// The user-settable fields of a v2 app. On create, null means "the default"; on update, null means
/// "unchanged" (and <see cref="Set"/> lists the fields the request named, so explicit nulls can clear).
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
    [Id(9)] public string? State { get; init; }
    [Id(10)] public string? Command { get; init; }
    [Id(11)] public bool? Console { get; init; }
    [Id(12)] public string? Debug { get; init; }
    [Id(13)] public string? HealthCheckType { get; init; }
    [Id(14)] public int? HealthCheckTimeout { get; init; }
    [Id(15)] public bool? Diego { get; init; }
    [Id(16)] public string? DockerImage { get; init; }
    [Id(17)] public bool? EnableSsh { get; init; }
    [Id(18)] public ImmutableArray<int>? Ports { get; init; }
    [Id(19)] public ImmutableHashSet<string> Set { get; init; } = [];
}
