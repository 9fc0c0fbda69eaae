namespace CloudController.GrainInterfaces.Jobs;

/// <summary>
/// A job as callers see it; <see cref="Owner"/> started it (null for jobs stored before owners were kept: admins only);
/// <see cref="Operation"/> is its v3 operation and <see cref="Target"/> the resource it deletes, if any.
/// </summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Jobs.JobSnapshot")]
public sealed record JobSnapshot(
    Guid Guid, JobStatus Status, JobError? Error, DateTimeOffset CreatedAt, string? Owner = null, string? Operation = null, Guid? Target = null,
    DateTimeOffset? UpdatedAt = null)
{
    public bool IsTerminal => Status is JobStatus.Finished or JobStatus.Failed;
}
