using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Jobs;

namespace CloudController.Grains.Jobs;

/// <summary>The v2 job state machine (spec 4.5): queued → running → finished | failed. Pure.</summary>
internal static class JobTransitions
{
    /// <summary>A job interrupted this many times (a silo died while running it) fails instead of looping.</summary>
    public const int MaxAttempts = 3;

    public static JobGrainState Enqueue(JobWork work, DateTimeOffset now) =>
        new() { Work = work, Status = JobStatus.Queued, CreatedAt = now };

    public static JobGrainState Start(JobGrainState job, DateTimeOffset now) => job.Status switch
    {
        JobStatus.Queued or JobStatus.Running when job.Attempts >= MaxAttempts =>
            Fail(job, new JobError(CfErrorCode.UnknownError, $"The job was interrupted {job.Attempts} times and was given up."), now),
        JobStatus.Queued or JobStatus.Running => job with { Status = JobStatus.Running, Attempts = job.Attempts + 1, UpdatedAt = now },
        _ => job,
    };

    public static JobGrainState Finish(JobGrainState job, DateTimeOffset now) =>
        job.Status == JobStatus.Running ? job with { Status = JobStatus.Finished, UpdatedAt = now } : job;

    public static JobGrainState Fail(JobGrainState job, JobError error, DateTimeOffset now) =>
        job.IsTerminal ? job : job with { Status = JobStatus.Failed, Error = error, UpdatedAt = now };
}
