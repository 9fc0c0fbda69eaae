using System.Collections.Immutable;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Logs;
using CloudController.GrainInterfaces.Tasks;
using CloudController.Grains.Runtime;
using CloudController.Grains.Storage;
using Microsoft.Extensions.Options;

namespace CloudController.Grains.Tasks;

/// <summary>Persisted form of a task. Ids are permanent: add new ones, never renumber.</summary>
[GenerateSerializer, Alias("CloudController.Grains.Tasks.TaskGrainState")]
public sealed record TaskGrainState
{
    [Id(0)] public TaskSnapshot? Task { get; init; }

    /// <summary>The states already logged (and stored), so each is logged once.</summary>
    [Id(1)] public string? Logged { get; init; }
}

/// <summary>
/// A simulated task (see <see cref="ITaskGrain"/>): its state follows from its creation time, the runtime's start delay
/// and task duration, and its command; a timer while it runs stores and logs each change, a read does the same.
/// </summary>
[GrainType("task")]
public sealed class TaskGrain(
    [PersistentState(StorageNames.State, StorageNames.CloudController)] IPersistentState<TaskGrainState> state,
    IOptions<RuntimeOptions> options,
    TimeProvider clock) : Grain, ITaskGrain
{
    private IGrainTimer? _timer;

    public async Task<TaskSnapshot> CreateAsync(TaskSnapshot task)
    {
        if (state.RecordExists && state.State.Task is { } existing)
        {
            return existing;
        }

        state.State = new TaskGrainState { Task = task, Logged = TaskStates.Pending };
        await state.WriteStateAsync();
        await LogAsync(task, $"Creating task {task.Name} (simulated runtime: no app code runs)", false);
        _timer = this.RegisterGrainTimer(_ => AdvanceAsync(), new GrainTimerCreationOptions(options.Value.StartDelay, TimeSpan.FromMilliseconds(500)) { KeepAlive = true });
        return task;
    }

    public async Task<TaskSnapshot?> FindAsync() => state.RecordExists ? await AdvanceAsync() : null;

    public async Task<TaskSnapshot> CancelAsync()
    {
        var task = await AdvanceAsync() ?? throw new CloudControllerException(CfErrorCode.ResourceNotFound, "Task not found");
        if (task.Ended)
        {
            throw CloudControllerException.Unprocessable($"Task state is {task.State} and therefore cannot be canceled");
        }

        var canceled = task with { State = TaskStates.Failed, FailureReason = "task was cancelled", UpdatedAt = clock.GetUtcNow() };
        state.State = new TaskGrainState { Task = canceled, Logged = TaskStates.Failed };
        await state.WriteStateAsync();
        await LogAsync(canceled, "Task was cancelled", true);
        StopTimer();
        return canceled;
    }

    /// <summary>The state the task's times say it is in, stored (and logged) when it changed.</summary>
    private async Task<TaskSnapshot?> AdvanceAsync()
    {
        if (state.State.Task is not { } task || task.Ended)
        {
            StopTimer();
            return state.State.Task;
        }

        var now = clock.GetUtcNow();
        var running = task.CreatedAt + options.Value.StartDelay;
        var ends = running + options.Value.TaskDuration;
        var fails = task.Command.Contains(options.Value.TaskFailureMarker, StringComparison.Ordinal);
        var next = now >= ends
            ? task with { State = fails ? TaskStates.Failed : TaskStates.Succeeded, FailureReason = fails ? "APP/TASK/" + task.Name + " exited with status 1" : null, UpdatedAt = ends }
            : now >= running ? task with { State = TaskStates.Running, UpdatedAt = running } : task;
        if (next.State == task.State)
        {
            return task;
        }

        if (state.State.Logged != TaskStates.Running)
        {
            await LogAsync(next, $"Starting task {task.Name}: {task.Command}", false);
        }

        if (next.Ended)
        {
            await LogAsync(next, $"Exit status {(fails ? 1 : 0)}", fails);
            StopTimer();
        }

        state.State = new TaskGrainState { Task = next, Logged = next.State };
        await state.WriteStateAsync();
        return next;
    }

    private Task LogAsync(TaskSnapshot task, string message, bool error) =>
        GrainFactory.GetGrain<IAppLogGrain>(task.AppGuid).AppendAsync([new LogLine(clock.GetUtcNow(), $"APP/TASK/{task.Name}", "0", message, error)]);

    private void StopTimer()
    {
        _timer?.Dispose();
        _timer = null;
    }
}

/// <summary>An app's tasks and their sequence (see <see cref="IAppTasksGrain"/>).</summary>
[GrainType("app-tasks")]
public sealed class AppTasksGrain(
    [PersistentState(StorageNames.State, StorageNames.CloudController)] IPersistentState<AppTasksState> state) : Grain, IAppTasksGrain
{
    public async Task<int> AddAsync(Guid task)
    {
        var list = state.State.Tasks.Add(task);
        state.State = new AppTasksState
        {
            Tasks = list.Length > IAppTasksGrain.Max ? list[^IAppTasksGrain.Max..] : list,
            LastSequenceId = state.State.LastSequenceId + 1,
        };
        await state.WriteStateAsync();
        return state.State.LastSequenceId;
    }

    public Task<ImmutableArray<Guid>> ListAsync() => Task.FromResult(state.State.Tasks);
}

[GenerateSerializer, Alias("CloudController.Grains.Tasks.AppTasksState")]
public sealed record AppTasksState
{
    [Id(0)] public ImmutableArray<Guid> Tasks { get; init; } = [];

    [Id(1)] public int LastSequenceId { get; init; }
}
