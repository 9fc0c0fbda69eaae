namespace CloudController.GrainInterfaces.Jobs;

/// <summary>A job as callers see it; <see cref="Owner"/> started it (null for jobs stored before owners were kept: admins only).</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Jobs.JobSnapshot")]
public sealed record JobSnapshot(Guid Guid, JobStatus Status, JobError? Error, DateTimeOffset CreatedAt, string? Owner = null)
{
    public bool IsTerminal => Status is JobStatus.Finished or JobStatus.Failed;
}
