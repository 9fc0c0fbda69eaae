using CloudController.GrainInterfaces.Apps;

namespace CloudController.Api.Resources;

/// <summary>
/// A v3 process: an app's <c>web</c> process (which shares the app's guid and is what v2's <c>instances</c>,
/// <c>memory</c>, <c>disk_quota</c>, <c>command</c> and <c>health_check_*</c> read and write) or another Procfile type.
/// </summary>
internal sealed record V3ProcessResource(
    Guid Guid,
    string Type,
    string? Command,
    int Instances,
    int MemoryInMb,
    int DiskInMb,
    V3HealthCheck HealthCheck,
    DateTimeOffset CreatedAt,
    DateTimeOffset? UpdatedAt,
    IReadOnlyDictionary<string, ToOne> Relationships,
    V3Metadata Metadata,
    IReadOnlyDictionary<string, Link> Links)
{
    public static V3ProcessResource Of(AppSnapshot app, AppProcess process)
    {
        var self = $"/v3/processes/{process.Guid}";
        return new V3ProcessResource(
            process.Guid, process.Type, process.EffectiveCommand,
            process.Instances, process.Memory, process.DiskQuota,
            new V3HealthCheck(process.HealthCheckType, new V3HealthCheckData(process.HealthCheckTimeout,
                process.HealthCheckType == "http" ? process.HealthCheckHttpEndpoint ?? "/" : null)),
            process.CreatedAt, process.UpdatedAt,
            new Dictionary<string, ToOne> { ["app"] = new(new GuidRef(app.Guid)) },
            V3Metadata.From(GrainInterfaces.Metadata.ResourceMetadata.Empty),
            new Dictionary<string, Link>
            {
                ["self"] = new(self),
                ["scale"] = new($"{self}/actions/scale", "POST"),
                ["app"] = new($"/v3/apps/{app.Guid}"),
                ["space"] = new($"/v3/spaces/{app.SpaceGuid}"),
                ["stats"] = new($"{self}/stats"),
            });
    }
}

internal sealed record V3HealthCheck(string Type, V3HealthCheckData Data);

internal sealed record V3HealthCheckData(int? Timeout, string? Endpoint);

/// <summary>
/// One instance in <c>/v3/processes/:guid/stats</c>: its state as the runtime reports it, its uptime, host and port,
/// and the usage the runtime measured (zero from the simulated runtime, which runs nothing: figures are never invented),
/// with the process's quotas.
/// </summary>
internal sealed record V3ProcessInstanceStats(
    string Type,
    int Index,
    string State,
    V3InstanceUsage Usage,
    string Host,
    IReadOnlyList<object> InstancePorts,
    long Uptime,
    long MemQuota,
    long DiskQuota,
    int FdsQuota,
    string? IsolationSegment,
    string? Details)
{
    public static V3ProcessInstanceStats Reported(AppProcess process, GrainInterfaces.Runtime.InstanceReport instance, DateTimeOffset now) =>
        new(process.Type, instance.Index, instance.State,
            new V3InstanceUsage(instance.Usage.Time ?? now, instance.Usage.Cpu, instance.Usage.MemoryBytes, instance.Usage.DiskBytes),
            instance.Host ?? "127.0.0.1", instance.Port is { } port ? [new { external = port, @internal = port }] : [],
            (long)Math.Max(0, (now - instance.Since).TotalSeconds), instance.MemoryQuotaBytes, instance.DiskQuotaBytes, 16384, null, instance.Details);

    public static V3ProcessInstanceStats Down(AppProcess process, int index) =>
        new(process.Type, index, "DOWN", new V3InstanceUsage(null, 0, 0, 0), "", [], 0,
            process.Memory * 1024L * 1024L, process.DiskQuota * 1024L * 1024L, 16384, null, null);
}

internal sealed record V3InstanceUsage(DateTimeOffset? Time, double Cpu, long Mem, long Disk);
