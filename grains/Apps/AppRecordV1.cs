using System.Collections.Immutable;
using CloudController.GrainInterfaces.Apps;

namespace CloudController.Grains.Apps;

/// <summary>
/// How apps were stored before <see cref="StoredApp"/> (schema 1: the wire snapshot itself, web's settings on the
/// app, the other processes apart). Frozen: it only reads old blobs, which <see cref="Migrate"/> turns into schema 2
/// when they are loaded (the next write stores the new form).
/// </summary>
[GenerateSerializer, Immutable, Alias("CloudController.Grains.Apps.AppRecordV1")]
public sealed record AppRecordV1
{
    [Id(0)] public Guid Guid { get; init; }
    [Id(1)] public string Name { get; init; } = "";
    [Id(2)] public Guid SpaceGuid { get; init; }
    [Id(3)] public Guid StackGuid { get; init; }
    [Id(4)] public bool Production { get; init; }
    [Id(5)] public string? Buildpack { get; init; }
    [Id(6)] public string? DetectedBuildpack { get; init; }
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
    [Id(28)] public string? PackageHash { get; init; }
    [Id(29)] public DateTimeOffset CreatedAt { get; init; }
    [Id(30)] public DateTimeOffset? UpdatedAt { get; init; }
    [Id(31)] public StoredPackage? Package { get; init; }
    [Id(32)] public Guid? CurrentDropletGuid { get; init; }
    [Id(33)] public ImmutableArray<ProcessRecordV1>? OtherProcesses { get; init; }
    [Id(34)] public string? HealthCheckHttpEndpoint { get; init; }

    /// <summary>
    /// The schema-2 form. A staging recorded as in flight (PENDING with a task id) is kept in flight for the package the
    /// app had then, which is the package that staging was started for (schema 1 staged only the current bits).
    /// </summary>
    public StoredApp Migrate()
    {
        var task = Guid.TryParse(StagingTaskId, out var t) ? t : (Guid?)null;
        var web = new StoredProcess
        {
            Guid = Guid,
            Type = AppProcess.Web,
            Instances = Instances,
            Memory = Memory,
            DiskQuota = DiskQuota,
            Command = Command,
            DetectedCommand = DetectedStartCommand,
            HealthCheckType = HealthCheckType,
            HealthCheckTimeout = HealthCheckTimeout,
            HealthCheckHttpEndpoint = HealthCheckHttpEndpoint,
            CreatedAt = CreatedAt,
            UpdatedAt = UpdatedAt,
        };
        var others = (OtherProcesses ?? []).Select(p => new StoredProcess
        {
            Guid = p.Guid,
            Type = p.Type,
            Instances = p.Instances,
            Memory = p.Memory,
            DiskQuota = p.DiskQuota,
            Command = p.Command,
            DetectedCommand = p.DetectedCommand,
            HealthCheckType = p.HealthCheckType,
            HealthCheckTimeout = p.HealthCheckTimeout,
            HealthCheckHttpEndpoint = p.HealthCheckHttpEndpoint,
            CreatedAt = p.CreatedAt,
            UpdatedAt = p.UpdatedAt,
        });
        return new StoredApp
        {
            Name = Name,
            SpaceGuid = SpaceGuid,
            StackGuid = StackGuid,
            Production = Production,
            Buildpack = Buildpack,
            DetectedBuildpack = DetectedBuildpack,
            EnvironmentJson = EnvironmentJson,
            State = State,
            Version = Version,
            Console = Console,
            Debug = Debug,
            PackageState = PackageState,
            Staging = PackageState == AppPackageState.Pending && task is { } droplet && Package is { } package
                ? new StagingRef(droplet, package.PackageGuid)
                : null,
            StagingTaskId = task,
            StagingFailedReason = StagingFailedReason,
            StagingFailedDescription = StagingFailedDescription,
            Diego = Diego,
            DockerImage = DockerImage,
            PackageUpdatedAt = PackageUpdatedAt,
            EnableSsh = EnableSsh,
            Ports = Ports,
            Package = Package,
            CurrentDropletGuid = CurrentDropletGuid,
            Processes = [web, .. others],
            CreatedAt = CreatedAt,
            UpdatedAt = UpdatedAt,
        };
    }
}

/// <summary>A non-web process as schema 1 stored it. Frozen.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.Grains.Apps.ProcessRecordV1")]
public sealed record ProcessRecordV1
{
    [Id(0)] public Guid Guid { get; init; }
    [Id(1)] public string Type { get; init; } = AppProcess.Web;
    [Id(2)] public int Instances { get; init; }
    [Id(3)] public int Memory { get; init; }
    [Id(4)] public int DiskQuota { get; init; }
    [Id(5)] public string? Command { get; init; }
    [Id(6)] public string DetectedCommand { get; init; } = "";
    [Id(7)] public string HealthCheckType { get; init; } = "process";
    [Id(8)] public int? HealthCheckTimeout { get; init; }
    [Id(9)] public DateTimeOffset CreatedAt { get; init; }
    [Id(10)] public DateTimeOffset? UpdatedAt { get; init; }
    [Id(11)] public string? HealthCheckHttpEndpoint { get; init; }
}
