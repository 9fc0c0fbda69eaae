using CloudController.GrainInterfaces.Work;
using Orleans.Concurrency;

namespace CloudController.GrainInterfaces.Jobs;

/// <summary>
/// A job (key: its guid), read as v2's job and v3's alike. Its work (building or copying a package, deleting a resource
/// with everything in it) runs outside the grain's turns and the outcome comes back through
/// <see cref="IWorkerGrain{TResult}.CompleteWorkAsync"/>; every status change is stored.
/// </summary>
[Alias("CloudController.GrainInterfaces.Jobs.IJobGrain")]
public interface IJobGrain : IWorkerGrain<JobResult>
{
    /// <summary>Persists the job as queued, with the audit <paramref name="events"/> of the request that started it, and starts its work; answers at once.</summary>
    [Alias("EnqueueAsync")]
    Task<JobSnapshot> EnqueueAsync(JobWork work, System.Collections.Immutable.ImmutableArray<Events.AuditEvent> events);

    /// <summary>The job, or null for an unknown guid. Read-only, so it may interleave with anything.</summary>
    [Alias("FindAsync"), AlwaysInterleave]
    Task<JobSnapshot?> FindAsync();
}
