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

    /// <summary>The organization whose usage ledger holds the task's memory until it ends.</summary>
    [Id(2)] public Guid? Organization { get; init; }
}

/// <summary>
/// A task (see <see cref="ITaskGrain"/>). On a runtime that runs tasks, the runtime starts its process and tells its
/// exit status; the grain stays active while it runs (so it stays beside its process), and a grain that activates to
/// find its task RUNNING but not run here knows the process went with its silo. On the simulated runtime its state
/// follows from its creation time, the runtime's start delay and task duration, and its command; a timer while it
/// runs stores and logs each change, a read does the same.
/// </summary>
[GrainType("task")]
public sealed class TaskGrain(
    [PersistentState(StorageNames.State, StorageNames.CloudController)] IPersistentState<TaskGrainState> state,
    IOptions<RuntimeOptions> options,
    IAppRuntime runtime,
    TimeProvider clock) : Grain, ITaskGrain
{
    private IGrainTimer? _timer;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (runtime.RunsTasks && state.State.Task is { Ended: false } task)
        {
            if (runtime.Runs(task.Guid))
            {
                KeepAlive();
            }
            else
            {
                await EndAsync(task with { State = TaskStates.Failed, FailureReason = "task's process was lost with its silo", UpdatedAt = clock.GetUtcNow() },
                    "The task's process was lost with its silo", true);
            }
        }
    }

    public async Task<TaskSnapshot> CreateAsync(TaskSnapshot task)
    {
        if (state.RecordExists && state.State.Task is { } existing)
        {
            return existing;
        }

        // Reserved before it is stored: a reservation whose store failed is given back by the ledger's checks.
        var organization = await OrganizationOfAsync(task.AppGuid);
        if (organization is { } org)
        {
            await GrainFactory.GetGrain<GrainInterfaces.Quotas.IOrganizationUsageGrain>(org).ReserveTaskAsync(task.Guid, task.MemoryInMb);
        }

        if (runtime.RunsTasks)
        {
            return await RunAsync(task, organization);
        }

        await WriteAsync(task, TaskStates.Pending, organization);
        await LogAsync(task, $"Creating task {task.Name} (simulated runtime: no app code runs)", false);
        _timer = this.RegisterGrainTimer(_ => AdvanceAsync(), new GrainTimerCreationOptions(options.Value.StartDelay, TimeSpan.FromMilliseconds(500)) { KeepAlive = true });
        return task;
    }

    /// <summary>Stores the task RUNNING, then asks the runtime to start it with the app's droplet and environment.</summary>
    private async Task<TaskSnapshot> RunAsync(TaskSnapshot task, Guid? organization)
    {
        var app = await GrainFactory.GetGrain<GrainInterfaces.Apps.IAppGrain>(task.AppGuid).GetAsync();
        var running = task with { State = TaskStates.Running, UpdatedAt = clock.GetUtcNow() };
        await WriteAsync(running, TaskStates.Running, organization);
        KeepAlive();
        await LogAsync(running, $"Starting task {task.Name}: {task.Command}", false);
        await runtime.RunTaskAsync(new DesiredTask(task.Guid, task.Name, task.AppGuid, app.Name, app.SpaceGuid, task.DropletGuid, app.Version,
            task.Command, task.MemoryInMb, task.DiskInMb, RuntimeEnvironment.Of(app.EnvironmentJson)), CancellationToken.None);
        return running;
    }

    public async Task ExitedAsync(int status)
    {
        if (state.State.Task is not { Ended: false } task)
        {
            return;
        }

        var failed = status != 0;
        await EndAsync(task with
        {
            State = failed ? TaskStates.Failed : TaskStates.Succeeded,
            FailureReason = failed ? $"APP/TASK/{task.Name} exited with status {status}" : null,
            UpdatedAt = clock.GetUtcNow(),
        }, $"Exit status {status}", failed);
    }

    private async Task EndAsync(TaskSnapshot ended, string message, bool error)
    {
        await WriteAsync(ended, ended.State);
        await LogAsync(ended, message, error);
        StopTimer();
    }

    /// <summary>A task's grain stays where its process runs until the process ends.</summary>
    private void KeepAlive() =>
        _timer ??= this.RegisterGrainTimer(() => Task.CompletedTask, new GrainTimerCreationOptions(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1)) { KeepAlive = true });

    public async Task<TaskSnapshot?> FindAsync() => !state.RecordExists ? null : runtime.RunsTasks ? state.State.Task : await AdvanceAsync();

    public async Task<TaskSnapshot> CancelAsync()
    {
        var task = (runtime.RunsTasks ? state.State.Task : await AdvanceAsync()) ?? throw new CloudControllerException(CfErrorCode.ResourceNotFound, "Task not found");
        if (task.Ended)
        {
            throw CloudControllerException.Unprocessable($"Task state is {task.State} and therefore cannot be canceled");
        }

        await runtime.CancelTaskAsync(task.Guid, CancellationToken.None);

        var canceled = task with { State = TaskStates.Failed, FailureReason = "task was cancelled", UpdatedAt = clock.GetUtcNow() };
        await WriteAsync(canceled, TaskStates.Failed);
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

        await WriteAsync(next, next.State);
        return next;
    }

    /// <summary>Stores the task; once an ended task is stored, its memory goes back to its organization.</summary>
    private async Task WriteAsync(TaskSnapshot task, string logged, Guid? organization = null)
    {
        state.State = new TaskGrainState { Task = task, Logged = logged, Organization = organization ?? state.State.Organization };
        await state.WriteStateAsync();
        if (task.Ended && state.State.Organization is { } org)
        {
            await GrainFactory.GetGrain<GrainInterfaces.Quotas.IOrganizationUsageGrain>(org).ReleaseTaskAsync(task.Guid);
        }
    }

    private async Task<Guid?> OrganizationOfAsync(Guid app)
    {
        var space = (await GrainFactory.GetGrain<GrainInterfaces.Apps.IAppGrain>(app).GetAsync()).SpaceGuid;
        return (await GrainFactory.GetGrain<GrainInterfaces.Spaces.ISpaceGrain>(space).FindAsync())?.OrganizationGuid;
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
