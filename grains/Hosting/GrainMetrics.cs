using System.Diagnostics.Metrics;

namespace CloudController.Grains.Hosting;

/// <summary>
/// The silo's own instruments (meter <see cref="MeterName"/>): how big group-committed batches are, how many index
/// changes are appended, and how many durable work runs start. Storage requests are counted where the storage
/// clients are made (<c>StorageMetrics</c>); runtime instances by state are observed from the runtime.
/// </summary>
public static class GrainMetrics
{
    public const string MeterName = "CloudController.Grains";

    internal static readonly Meter Meter = new(MeterName);

    /// <summary>Changes per group-committed write, by what writes them (<c>index</c>, <c>usage</c>, …).</summary>
    public static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>("cc.group_commit.batch_size", "{change}", "Changes written together by one group commit.");

    /// <summary>Index changes appended to index journals.</summary>
    public static readonly Counter<long> IndexAppends = Meter.CreateCounter<long>("cc.index.appends", "{change}", "Index changes appended to index journals.");

    /// <summary>Durable work runs started (stagings, jobs, deployments), first attempts and retries alike.</summary>
    public static readonly Counter<long> WorkRuns = Meter.CreateCounter<long>("cc.work.runs", "{run}", "Durable work runs started.");
}
