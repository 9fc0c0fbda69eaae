using System.Collections.Immutable;

namespace CloudController.GrainInterfaces.Tasks;

/// <summary>
/// A one-off task of an app (CC's <c>/v3/tasks</c>). On a runtime that runs tasks (the local one) it is a process
/// with the task's command: RUNNING once started, then SUCCEEDED or FAILED by its exit status (a task whose process
/// was lost with its silo fails). On the simulated runtime it is PENDING, RUNNING a moment later, then SUCCEEDED after
/// the configured run time, or FAILED when its command carries the configured failure marker; its state is then a
/// function of its stored times. Either way it may be canceled, and each change is logged as <c>APP/TASK/&lt;name&gt;</c>.
/// </summary>
[Alias("CloudController.GrainInterfaces.Tasks.ITaskGrain")]
public interface ITaskGrain : IGrainWithGuidKey
{
    [Alias("CreateAsync")]
    Task<TaskSnapshot> CreateAsync(TaskSnapshot task);

    [Alias("FindAsync")]
    Task<TaskSnapshot?> FindAsync();

    [Alias("CancelAsync")]
    Task<TaskSnapshot> CancelAsync();

    /// <summary>The runtime's word that the task's process exited with <paramref name="status"/> (0: SUCCEEDED); ignored once the task ended.</summary>
    [Alias("ExitedAsync")]
    Task ExitedAsync(int status);
}

/// <summary>An app's tasks (newest last, at most <see cref="Max"/> kept) and the sequence their ids come from.</summary>
[Alias("CloudController.GrainInterfaces.Tasks.IAppTasksGrain")]
public interface IAppTasksGrain : IGrainWithGuidKey
{
    const int Max = 1000;

    /// <summary>Records a new task and answers its sequence id (1, 2, ...).</summary>
    [Alias("AddAsync")]
    Task<int> AddAsync(Guid task);

    [Alias("ListAsync"), Orleans.Concurrency.AlwaysInterleave]
    Task<ImmutableArray<Guid>> ListAsync();
}

[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Tasks.TaskSnapshot")]
public sealed record TaskSnapshot(
    [property: Id(0)] Guid Guid,
    [property: Id(1)] Guid AppGuid,
    [property: Id(2)] int SequenceId,
    [property: Id(3)] string Name,
    [property: Id(4)] string Command,
    [property: Id(5)] int MemoryInMb,
    [property: Id(6)] int DiskInMb,
    [property: Id(7)] Guid DropletGuid,
    [property: Id(8)] string State,
    [property: Id(9)] string? FailureReason,
    [property: Id(10)] DateTimeOffset CreatedAt,
    [property: Id(11)] DateTimeOffset? UpdatedAt)
{
    public bool Ended => State is TaskStates.Succeeded or TaskStates.Failed;
}

public static class TaskStates
{
    public const string Pending = "PENDING";
    public const string Running = "RUNNING";
    public const string Succeeded = "SUCCEEDED";
    public const string Failed = "FAILED";
}
