using CloudController.GrainInterfaces.Jobs;

namespace CloudController.Grains.Jobs;

/// <summary>Persisted form of a job. Ids are permanent: add new ones, never renumber.</summary>
[GenerateSerializer, Alias("CloudController.Grains.Jobs.JobGrainState")]
public sealed record JobGrainState
{
    [Id(0)] public JobWork? Work { get; init; }
    [Id(1)] public JobStatus Status { get; init; }
    [Id(2)] public JobError? Error { get; init; }
    [Id(3)] public DateTimeOffset CreatedAt { get; init; }
    [Id(4)] public DateTimeOffset? UpdatedAt { get; init; }
    [Id(5)] public int Attempts { get; init; }

    /// <summary>Derived work the last stored change still owes (see <see cref="Storage.Outstanding"/>): the upload's audit events.</summary>
    [Id(6)] public Storage.Outstanding? Outstanding { get; init; }

    public bool IsTerminal => Status is JobStatus.Finished or JobStatus.Failed;
}
