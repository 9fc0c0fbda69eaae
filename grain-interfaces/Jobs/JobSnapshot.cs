namespace CloudController.GrainInterfaces.Jobs;

/// <summary>A job as callers see it.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Jobs.JobSnapshot")]
public sealed record JobSnapshot(Guid Guid, JobStatus Status, JobError? Error, DateTimeOffset CreatedAt)
{
    public bool IsTerminal => Status is JobStatus.Finished or JobStatus.Failed;
}
