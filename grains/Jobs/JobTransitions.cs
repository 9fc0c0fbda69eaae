using CloudController.GrainInterfaces.Jobs;

namespace CloudController.Grains.Jobs;

/// <summary>The v2 job state machine (spec 4.5): queued → running → finished | failed. Pure.</summary>
internal static class JobTransitions
{
    public static JobGrainState Enqueue(JobWork work, DateTimeOffset now) =>
        new() { Work = work, Status = JobStatus.Queued, CreatedAt = now };

    /// <summary>Another attempt starts: the job runs, and the attempt is counted before any work is done.</summary>
    public static JobGrainState Start(JobGrainState job, DateTimeOffset now) =>
        job.IsTerminal ? job : job with { Status = JobStatus.Running, Attempts = job.Attempts + 1, UpdatedAt = now };

    public static JobGrainState Finish(JobGrainState job, DateTimeOffset now) =>
        job.Status == JobStatus.Running ? job with { Status = JobStatus.Finished, UpdatedAt = now } : job;

    public static JobGrainState Fail(JobGrainState job, JobError error, DateTimeOffset now) =>
        job.IsTerminal ? job : job with { Status = JobStatus.Failed, Error = error, UpdatedAt = now };
}
