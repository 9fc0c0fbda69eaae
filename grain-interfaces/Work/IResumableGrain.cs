using Orleans.Concurrency;

namespace CloudController.GrainInterfaces.Work;

/// <summary>A grain whose long work (a job, a staging, an upload or copy) must finish even if its silo dies.</summary>
[Alias("CloudController.GrainInterfaces.Work.IResumableGrain")]
public interface IResumableGrain : IGrainWithGuidKey
{
    /// <summary>Makes sure unfinished work is running; true while work is in flight, false when there is none.</summary>
    [Alias("ResumeAsync"), AlwaysInterleave]
    Task<bool> ResumeAsync();
}

/// <summary>The kinds of grain whose work is tracked in the pending-work registry.</summary>
public enum WorkKind
{
    Job,
    Droplet,
    Package,
}
