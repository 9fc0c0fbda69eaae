using System.Collections.Immutable;
using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Bits;

namespace CloudController.Grains.Apps;

/// <summary>
/// An app as it is stored (schema 2): its own record, never a wire type, so the API's shapes can change without
/// touching stored data. The property names are the stored JSON: never rename one; add new ones. Every process, web
/// included, is one entry of <see cref="Processes"/> (web's guid is the app's).
/// </summary>
[GenerateSerializer, Immutable, Alias("CloudController.Grains.Apps.StoredApp")]
public sealed record StoredApp
{
    public const int Schema = 2;

    [Id(0)] public string Name { get; init; } = "";
    [Id(1)] public Guid SpaceGuid { get; init; }
    [Id(2)] public Guid StackGuid { get; init; }
    [Id(3)] public bool Production { get; init; }
    [Id(4)] public string? Buildpack { get; init; }
    [Id(5)] public string? DetectedBuildpack { get; init; }

    /// <summary>The <c>environment_json</c> object as JSON text.</summary>
    [Id(6)] public string EnvironmentJson { get; init; } = "{}";

    /// <summary>The desired state: STOPPED or STARTED.</summary>
    [Id(7)] public AppState State { get; init; }

    [Id(8)] public Guid Version { get; init; }
    [Id(9)] public bool Console { get; init; }
    [Id(10)] public string? Debug { get; init; }
    [Id(11)] public AppPackageState PackageState { get; init; }

    /// <summary>The staging in flight: the droplet staging and the package it stages; null when none is.</summary>
    [Id(12)] public StagingRef? Staging { get; init; }

    /// <summary>The last staging's id (v2's <c>staging_task_id</c>), kept after it ends.</summary>
    [Id(13)] public Guid? StagingTaskId { get; init; }

    [Id(14)] public string? StagingFailedReason { get; init; }
    [Id(15)] public string? StagingFailedDescription { get; init; }
    [Id(16)] public bool Diego { get; init; }
    [Id(17)] public string? DockerImage { get; init; }
    [Id(18)] public DateTimeOffset? PackageUpdatedAt { get; init; }
    [Id(19)] public bool EnableSsh { get; init; }
    [Id(20)] public ImmutableArray<int>? Ports { get; init; }

    /// <summary>The stored package (blob, sha1, size); null until bits were stored.</summary>
    [Id(21)] public StoredPackage? Package { get; init; }

    /// <summary>The droplet the app runs; null until staged.</summary>
    [Id(22)] public Guid? CurrentDropletGuid { get; init; }

    /// <summary>Every process: web first, then the other types by name.</summary>
    [Id(23)] public ImmutableArray<StoredProcess> Processes { get; init; } = [];

    [Id(24)] public DateTimeOffset CreatedAt { get; init; }
    [Id(25)] public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>v3 labels and annotations (none for apps stored before they were kept).</summary>
    [Id(26)] public GrainInterfaces.Metadata.ResourceMetadata? Metadata { get; init; }

    /// <summary>The web process (every app has one).</summary>
    public StoredProcess Web => Processes.FirstOrDefault(p => p.Type == AppProcess.Web) ?? new StoredProcess();

    public StoredProcess? Process(string type) => Processes.FirstOrDefault(p => p.Type == type);

    /// <summary>Replaces the web process.</summary>
    public StoredApp WithWeb(StoredProcess web) =>
        this with { Processes = Processes.IsEmpty ? [web] : Processes.Replace(Web, web) };

    public PackageInfo? PackageInfo => Package is { } p ? new PackageInfo(p.PackageGuid, p.Sha1, p.Size) : null;

    /// <summary>The app as callers see it (v2's fields with web's settings, and the other processes).</summary>
    public AppSnapshot ToSnapshot(Guid guid)
    {
        var web = Web;
        var others = Processes.Where(p => p.Type != AppProcess.Web).Select(p => p.ToProcess(this)).ToImmutableArray();
        return new AppSnapshot
        {
            Guid = guid,
            Name = Name,
            SpaceGuid = SpaceGuid,
            StackGuid = StackGuid,
            Production = Production,
            Buildpack = Buildpack,
            DetectedBuildpack = DetectedBuildpack,
            EnvironmentJson = EnvironmentJson,
            Memory = web.Memory,
            Instances = web.Instances,
            DiskQuota = web.DiskQuota,
            State = State,
            Version = Version,
            Command = web.Command,
            Console = Console,
            Debug = Debug,
            StagingTaskId = StagingTaskId?.ToString("D"),
            PackageState = PackageState,
            HealthCheckType = web.HealthCheckType,
            HealthCheckTimeout = web.HealthCheckTimeout,
            HealthCheckHttpEndpoint = web.HealthCheckHttpEndpoint,
            StagingFailedReason = StagingFailedReason,
            StagingFailedDescription = StagingFailedDescription,
            Diego = Diego,
            DockerImage = DockerImage,
            PackageUpdatedAt = PackageUpdatedAt,
            DetectedStartCommand = web.DetectedCommand,
            EnableSsh = EnableSsh,
            Ports = Ports,
            PackageHash = Package?.Sha1,
            CreatedAt = CreatedAt,
            UpdatedAt = UpdatedAt,
            Package = PackageInfo,
            CurrentDropletGuid = CurrentDropletGuid,
            OtherProcesses = others.IsEmpty ? null : others,
            Metadata = Metadata ?? GrainInterfaces.Metadata.ResourceMetadata.Empty,
        };
    }
}

/// <summary>One stored process of an app. Property names are stored JSON: never rename.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.Grains.Apps.StoredProcess")]
public sealed record StoredProcess
{
    [Id(0)] public Guid Guid { get; init; }
    [Id(1)] public string Type { get; init; } = AppProcess.Web;
    [Id(2)] public int Instances { get; init; }
    [Id(3)] public int Memory { get; init; }
    [Id(4)] public int DiskQuota { get; init; }

    /// <summary>The command the user set; null runs <see cref="DetectedCommand"/>.</summary>
    [Id(5)] public string? Command { get; init; }

    /// <summary>The droplet's command for this type (its Procfile line, or the buildpack's start command for web).</summary>
    [Id(6)] public string DetectedCommand { get; init; } = "";

    [Id(7)] public string HealthCheckType { get; init; } = "port";
    [Id(8)] public int? HealthCheckTimeout { get; init; }
    [Id(9)] public string? HealthCheckHttpEndpoint { get; init; }
    [Id(10)] public DateTimeOffset CreatedAt { get; init; }
    [Id(11)] public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>The process as callers see it; web takes the app's times.</summary>
    public AppProcess ToProcess(StoredApp app) => new()
    {
        Guid = Guid,
        Type = Type,
        Instances = Instances,
        Memory = Memory,
        DiskQuota = DiskQuota,
        Command = Command,
        DetectedCommand = DetectedCommand,
        HealthCheckType = HealthCheckType,
        HealthCheckTimeout = HealthCheckTimeout,
        HealthCheckHttpEndpoint = HealthCheckHttpEndpoint,
        CreatedAt = Type == AppProcess.Web ? app.CreatedAt : CreatedAt,
        UpdatedAt = Type == AppProcess.Web ? app.UpdatedAt : UpdatedAt,
    };
}

/// <summary>A staging in flight: its droplet and the package it stages.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.Grains.Apps.StagingRef")]
public sealed record StagingRef([property: Id(0)] Guid DropletGuid, [property: Id(1)] Guid PackageGuid);

/// <summary>A stored package zip: its blob guid, sha1 and size.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.Grains.Apps.StoredPackage")]
public sealed record StoredPackage([property: Id(0)] Guid PackageGuid, [property: Id(1)] string Sha1, [property: Id(2)] long Size)
{
    public static StoredPackage From(PackageInfo package) => new(package.PackageGuid, package.Sha1, package.Size);
}
