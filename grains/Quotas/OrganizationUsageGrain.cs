using System.Collections.Immutable;
using CloudController.GrainInterfaces.Organizations;
using CloudController.GrainInterfaces.Quotas;
using CloudController.Grains.Storage;

namespace CloudController.Grains.Quotas;

/// <summary>Persisted form of an organization's usage. Ids are permanent: add new ones, never renumber.</summary>
[GenerateSerializer, Alias("CloudController.Grains.Quotas.OrganizationUsageGrainState")]
public sealed record OrganizationUsageGrainState
{
    /// <summary>Started apps only: a stopped app uses nothing.</summary>
    [Id(0)] public ImmutableDictionary<Guid, AppDemand> Apps { get; init; } = ImmutableDictionary<Guid, AppDemand>.Empty;

    [Id(1)] public ImmutableHashSet<Guid> Routes { get; init; } = [];
}

[GrainType("organization-usage")]
public sealed class OrganizationUsageGrain(
    [PersistentState(StorageNames.State, StorageNames.CloudController)] IPersistentState<OrganizationUsageGrainState> state)
    : Grain, IOrganizationUsageGrain
{
    private OrganizationUsageGrainState Current => state.State ?? new OrganizationUsageGrainState();

    public async Task ReserveAppAsync(Guid app, AppDemand demand)
    {
        var current = Current;
        var before = current.Apps.GetValueOrDefault(app);
        if (before == demand || (before is null && !demand.Started))
        {
            return;
        }

        if (await QuotaAsync() is { } quota)
        {
            QuotaRules.CheckApp(quota, before, demand, current.Apps.Values.Sum(a => a.Memory), current.Apps.Values.Sum(a => a.RunningInstances));
        }

        await state.SaveAsync(current with { Apps = demand.Started ? current.Apps.SetItem(app, demand) : current.Apps.Remove(app) });
    }

    public Task ReleaseAppAsync(Guid app) =>
        Current.Apps.ContainsKey(app) ? state.SaveAsync(Current with { Apps = Current.Apps.Remove(app) }) : Task.CompletedTask;

    public async Task ReserveRouteAsync(Guid route)
    {
        var current = Current;
        if (current.Routes.Contains(route))
        {
            return;
        }

        if (await QuotaAsync() is { } quota)
        {
            QuotaRules.CheckRoutes(quota, current.Routes.Count + 1);
        }

        await state.SaveAsync(current with { Routes = current.Routes.Add(route) });
    }

    public Task ReleaseRouteAsync(Guid route) =>
        Current.Routes.Contains(route) ? state.SaveAsync(Current with { Routes = Current.Routes.Remove(route) }) : Task.CompletedTask;

    public Task<OrganizationUsage> UsageAsync()
    {
        var current = Current;
        return Task.FromResult(new OrganizationUsage(current.Apps.Values.Sum(a => a.Memory), current.Apps.Values.Sum(a => a.RunningInstances),
            current.Routes.Count, [.. current.Apps.Keys]));
    }

    /// <summary>The organization's quota now (it may have been changed since the last call); null when it has none.</summary>
    private async Task<QuotaLimits?> QuotaAsync() =>
        await GrainFactory.GetGrain<IOrganizationGrain>(this.GetPrimaryKey()).QuotaDefinitionAsync() is { } quota
            ? (await GrainFactory.GetGrain<IQuotaDefinitionGrain>(quota).FindAsync())?.Limits
            : null;
}
