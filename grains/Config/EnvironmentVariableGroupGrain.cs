using CloudController.GrainInterfaces.Config;
using CloudController.Grains.Storage;

namespace CloudController.Grains.Config;

/// <summary>Persisted form of an environment variable group. Ids are permanent: add new ones, never renumber.</summary>
[GenerateSerializer, Alias("CloudController.Grains.Config.EnvironmentVariableGroupState")]
public sealed record EnvironmentVariableGroupState
{
    [Id(0)] public string VariablesJson { get; init; } = "{}";
}

[GrainType("environment-variable-group")]
public sealed class EnvironmentVariableGroupGrain(
    [PersistentState(StorageNames.State, StorageNames.CloudController)] IPersistentState<EnvironmentVariableGroupState> state)
    : Grain, IEnvironmentVariableGroupGrain
{
    public Task<string> GetAsync() => Task.FromResult(state.State?.VariablesJson ?? "{}");

    public async Task<string> SetAsync(string variablesJson)
    {
        await state.SaveAsync(new EnvironmentVariableGroupState { VariablesJson = variablesJson });
        return variablesJson;
    }
}
