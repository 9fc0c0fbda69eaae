using System.Collections.Immutable;

namespace CloudController.GrainInterfaces.Runtime;

/// <summary>One instance of a process as the runtime reports it (CF's <c>STARTING</c>, <c>RUNNING</c>, <c>CRASHED</c>, <c>DOWN</c>).</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Runtime.InstanceReport")]
public sealed record InstanceReport(
    [property: Id(0)] int Index,
    [property: Id(1)] string State,
    [property: Id(2)] DateTimeOffset Since,
    [property: Id(3)] string? Details,
    [property: Id(4)] long MemoryQuotaBytes,
    [property: Id(5)] long DiskQuotaBytes)
{
    /// <summary>Where the instance listens (the address the routers reach); null from a runtime that runs nothing.</summary>
    [Id(6)] public string? Host { get; init; }

    /// <summary>The instance's port on <see cref="Host"/> (its <c>PORT</c>).</summary>
    [Id(7)] public int? Port { get; init; }

    /// <summary>What the instance uses now, measured by the operating system; zero from the simulated runtime.</summary>
    [Id(8)] public InstanceUsageReport Usage { get; init; } = InstanceUsageReport.None;
}

/// <summary>An instance's CPU (a fraction of one core), resident memory and disk, measured at <see cref="Time"/>.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Runtime.InstanceUsageReport")]
public sealed record InstanceUsageReport(
    [property: Id(0)] double Cpu,
    [property: Id(1)] long MemoryBytes,
    [property: Id(2)] long DiskBytes,
    [property: Id(3)] DateTimeOffset? Time)
{
    public static readonly InstanceUsageReport None = new(0, 0, 0, null);
}

/// <summary>What the runtime reports of an app's web process: one entry per desired instance, index order.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Runtime.ProcessReport")]
public sealed record ProcessReport([property: Id(0)] ImmutableArray<InstanceReport> Instances)
{
    public static readonly ProcessReport None = new([]);

    public int Running => Instances.Count(i => i.State == InstanceStates.Running);
}

public static class InstanceStates
{
    public const string Starting = "STARTING";
    public const string Running = "RUNNING";
    public const string Crashed = "CRASHED";
    public const string Down = "DOWN";
}
