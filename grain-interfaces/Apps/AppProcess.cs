using System.Collections.Immutable;

namespace CloudController.GrainInterfaces.Apps;

/// <summary>
/// One process of an app. The <c>web</c> process is the app's own fields (its guid is the app's, and v2's
/// <c>instances</c>, <c>memory</c>, <c>disk_quota</c>, <c>command</c> and <c>health_check_*</c> are its settings);
/// the other types come from the current droplet's Procfile and are kept in <see cref="AppSnapshot.OtherProcesses"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Apps.AppProcess")]
public sealed record AppProcess
{
    public const string Web = "web";

    [Id(0)] public Guid Guid { get; init; }
    [Id(1)] public string Type { get; init; } = Web;
    [Id(2)] public int Instances { get; init; }
    [Id(3)] public int Memory { get; init; }
    [Id(4)] public int DiskQuota { get; init; }
    /// <summary>The command the user set; null runs <see cref="DetectedCommand"/>.</summary>
    [Id(5)] public string? Command { get; init; }
    /// <summary>The droplet's command for this type (the Procfile's line, or the buildpack's start command for web).</summary>
    [Id(6)] public string DetectedCommand { get; init; } = "";
    [Id(7)] public string HealthCheckType { get; init; } = "process";
    [Id(8)] public int? HealthCheckTimeout { get; init; }
    [Id(9)] public DateTimeOffset CreatedAt { get; init; }
    [Id(10)] public DateTimeOffset? UpdatedAt { get; init; }
    [Id(11)] public string? HealthCheckHttpEndpoint { get; init; }

    /// <summary>What the runtime runs: the user's command, else the droplet's.</summary>
    public string? EffectiveCommand => Command ?? (DetectedCommand.Length > 0 ? DetectedCommand : null);

    /// <summary>CF's log source for the process's instances (<c>APP/PROC/WEB</c>, <c>APP/PROC/WORKER</c>).</summary>
    public string LogSource => $"APP/PROC/{Type.ToUpperInvariant()}";
}

/// <summary>A change to one process; null means "unchanged". <see cref="ClearCommand"/> resets the command to the droplet's.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Apps.ProcessFields")]
public sealed record ProcessFields
{
    [Id(0)] public int? Instances { get; init; }
    [Id(1)] public int? Memory { get; init; }
    [Id(2)] public int? DiskQuota { get; init; }
    [Id(3)] public string? Command { get; init; }
    [Id(4)] public bool ClearCommand { get; init; }
    [Id(5)] public string? HealthCheckType { get; init; }
    [Id(6)] public int? HealthCheckTimeout { get; init; }
    [Id(7)] public string? HealthCheckHttpEndpoint { get; init; }

    /// <summary>Creates the type when the app lacks it (a manifest's process) instead of raising ProcessNotFound.</summary>
    [Id(8)] public bool CreateMissing { get; init; }
}

/// <summary>An app's processes: the web process (a view of the app's fields) first, then the other types by name.</summary>
public static class AppProcesses
{
    public static AppProcess Web(this AppSnapshot app) => new()
    {
        Guid = app.Guid,
        Type = AppProcess.Web,
        Instances = app.Instances,
        Memory = app.Memory,
        DiskQuota = app.DiskQuota,
        Command = app.Command,
        DetectedCommand = app.DetectedStartCommand,
        HealthCheckType = app.HealthCheckType,
        HealthCheckTimeout = app.HealthCheckTimeout,
        HealthCheckHttpEndpoint = app.HealthCheckHttpEndpoint,
        CreatedAt = app.CreatedAt,
        UpdatedAt = app.UpdatedAt,
    };

    public static ImmutableArray<AppProcess> Others(this AppSnapshot app) => app.OtherProcesses ?? [];

    public static IEnumerable<AppProcess> Processes(this AppSnapshot app) => app.Others().Prepend(app.Web());

    public static AppProcess? Process(this AppSnapshot app, string type) =>
        type == AppProcess.Web ? app.Web() : app.Others().FirstOrDefault(p => p.Type == type);

    public static AppProcess? ProcessByGuid(this AppSnapshot app, Guid guid) =>
        guid == app.Guid ? app.Web() : app.Others().FirstOrDefault(p => p.Guid == guid);
}
