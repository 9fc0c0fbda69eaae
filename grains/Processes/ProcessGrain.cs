using CloudController.GrainInterfaces.Processes;
using CloudController.Grains.Storage;

namespace CloudController.Grains.Processes;

/// <summary>Persisted form of a process pointer. Ids are permanent: add new ones, never renumber.</summary>
[GenerateSerializer, Alias("CloudController.Grains.Processes.ProcessGrainState")]
public sealed record ProcessGrainState
{
    [Id(0)] public ProcessPointer? Pointer { get; init; }
}

[GrainType("process")]
public sealed class ProcessGrain(
    [PersistentState(StorageNames.State, StorageNames.CloudController)] IPersistentState<ProcessGrainState> state) : Grain, IProcessGrain
{
    public Task<ProcessPointer?> FindAsync() => Task.FromResult(state.RecordExists ? state.State.Pointer : null);

    public Task PointAsync(ProcessPointer pointer) =>
        state.RecordExists && state.State.Pointer == pointer ? Task.CompletedTask : state.SaveAsync(new ProcessGrainState { Pointer = pointer });

    public Task ClearAsync() => state.RecordExists ? state.ClearStateAsync() : Task.CompletedTask;
}
