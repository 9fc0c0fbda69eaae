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
    [property: Id(5)] long DiskQuotaBytes);

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
