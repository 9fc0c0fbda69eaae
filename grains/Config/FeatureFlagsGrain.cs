using System.Collections.Immutable;
using CloudController.GrainInterfaces.Config;
using CloudController.GrainInterfaces.Errors;
using CloudController.Grains.Storage;

namespace CloudController.Grains.Config;

/// <summary>Persisted form of the feature flags an admin has set. Ids are permanent: add new ones, never renumber.</summary>
[GenerateSerializer, Alias("CloudController.Grains.Config.FeatureFlagsState")]
public sealed record FeatureFlagsState
{
    [Id(0)] public ImmutableDictionary<string, FeatureFlag> Set { get; init; } = ImmutableDictionary<string, FeatureFlag>.Empty;
}

/// <summary>The feature flags: CF's defaults, overlaid with what admins set (one stored record).</summary>
[GrainType("feature-flags")]
public sealed class FeatureFlagsGrain(
    [PersistentState(StorageNames.State, StorageNames.CloudController)] IPersistentState<FeatureFlagsState> state,
    TimeProvider clock) : Grain, IFeatureFlagsGrain
{
    /// <summary>CF's bound on a flag's custom error message.</summary>
    private const int MaxMessageLength = 250;

    public Task<ImmutableArray<FeatureFlag>> ListAsync() =>
        Task.FromResult<ImmutableArray<FeatureFlag>>([.. FeatureFlags.Defaults.Select(d => Current(d.Name, d.Enabled))]);

    public Task<FeatureFlag?> FindAsync(string name) =>
        Task.FromResult(FeatureFlags.Defaults.FirstOrDefault(d => d.Name == name) is { Name: not null } known ? Current(known.Name, known.Enabled) : null);

    public async Task<FeatureFlag> SetAsync(string name, bool? enabled, string? customErrorMessage, bool clearMessage)
    {
        var current = await FindAsync(name) ?? throw new CloudControllerException(CfErrorCode.FeatureFlagNotFound, "Feature flag not found");
        if (customErrorMessage is { Length: > MaxMessageLength })
        {
            throw CloudControllerException.Unprocessable($"Custom error message is too long (maximum is {MaxMessageLength} characters)");
        }

        var next = current with
        {
            Enabled = enabled ?? current.Enabled,
            CustomErrorMessage = clearMessage ? null : customErrorMessage ?? current.CustomErrorMessage,
            UpdatedAt = clock.GetUtcNow(),
        };
        state.State = new FeatureFlagsState { Set = (state.State?.Set ?? ImmutableDictionary<string, FeatureFlag>.Empty).SetItem(name, next) };
        await state.WriteStateAsync();
        return next;
    }

    private FeatureFlag Current(string name, bool enabledByDefault) =>
        state.State?.Set.GetValueOrDefault(name) ?? new FeatureFlag(name, enabledByDefault, null, null);
}
