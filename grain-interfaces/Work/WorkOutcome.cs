using CloudController.GrainInterfaces.Jobs;

namespace CloudController.GrainInterfaces.Work;

/// <summary>
/// How one run of a grain's work (<paramref name="Run"/> names it) ended: with a <paramref name="Result"/>, with a
/// <paramref name="Failure"/> that another attempt would not change (bad bits, a missing source), or with a
/// <paramref name="Retry"/> reason worth another attempt: it timed out or failed unexpectedly (an attempt used up), or
/// it was <paramref name="Interrupted"/> by the cluster (a peer silo died mid-call; tried again later, not counted).
/// </summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Work.WorkOutcome`1")]
public sealed record WorkOutcome<TResult>(Guid Run, TResult? Result, JobError? Failure, string? Retry, bool Interrupted);

/// <summary>Builds <see cref="WorkOutcome{TResult}"/> values.</summary>
public static class WorkOutcome
{
    public static WorkOutcome<TResult> Done<TResult>(Guid run, TResult result) => new(run, result, null, null, false);

    public static WorkOutcome<TResult> Failed<TResult>(Guid run, JobError failure) => new(run, default, failure, null, false);

    public static WorkOutcome<TResult> Again<TResult>(Guid run, string reason, bool interrupted) => new(run, default, null, reason, interrupted);
}
