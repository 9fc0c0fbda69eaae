using CloudController.GrainInterfaces.Work;
using Orleans.Concurrency;

namespace CloudController.GrainInterfaces.Jobs;

/// <summary>A v2 job (key: its guid). It runs its work off the request path and persists every status change.</summary>
[Alias("CloudController.GrainInterfaces.Jobs.IJobGrain")]
public interface IJobGrain : IResumableGrain
{
    /// <summary>Persists the job as queued and schedules its work; answers at once.</summary>
    [Alias("EnqueueAsync")]
    Task<JobSnapshot> EnqueueAsync(JobWork work);

    /// <summary>The job, or null for an unknown guid. Answers while the work runs.</summary>
    [Alias("FindAsync"), AlwaysInterleave]
    Task<JobSnapshot?> FindAsync();
}
