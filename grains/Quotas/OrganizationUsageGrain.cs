using System.Collections.Immutable;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Organizations;
using CloudController.GrainInterfaces.Quotas;
using CloudController.Grains.Hosting;
using CloudController.Grains.Storage;

namespace CloudController.Grains.Quotas;

/// <summary><c>CloudController:Usage</c>: when an organization's usage ledger checks itself against its apps and routes.</summary>
public sealed record UsageOptions
{
    public const string Section = "CloudController:Usage";

    /// <summary>The first check after the ledger activates.</summary>
    public TimeSpan CheckAfter { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The checks after that.</summary>
    public TimeSpan CheckEvery { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>Persisted form of an organization's usage. Ids are permanent: add new ones, never renumber.</summary>
[GenerateSerializer, Alias("CloudController.Grains.Quotas.OrganizationUsageGrainState")]
public sealed record OrganizationUsageGrainState
{
    /// <summary>Started apps only: a stopped app uses nothing.</summary>
    [Id(0)] public ImmutableDictionary<Guid, AppDemand> Apps { get; init; } = ImmutableDictionary<Guid, AppDemand>.Empty;

    [Id(1)] public ImmutableHashSet<Guid> Routes { get; init; } = [];

    /// <summary>The organization's private domains.</summary>
    [Id(2)] public ImmutableHashSet<Guid> Domains { get; init; } = [];

    /// <summary>Tasks not yet ended, by guid, with their memory: it counts against the memory limit as instances' does.</summary>
    [Id(3)] public ImmutableDictionary<Guid, int> Tasks { get; init; } = ImmutableDictionary<Guid, int>.Empty;

    /// <summary>The memory the organization's started apps and running tasks use.</summary>
    public long Memory => Apps.Values.Sum(a => a.Memory) + Tasks.Values.Sum(m => (long)m);
}

/// <summary>
/// The usage ledger of one organization. Every start, scale and route in the organization passes here, so writes
/// are group-committed as in the index grains: the grain is reentrant, each reservation is checked against the
/// quota and applied in memory within one turn (checks see every earlier reservation), and its caller waits until
/// the write it joined is stored. A write that fails (or does not finish within the group commit's bound) fails its
/// callers, and the ledger reloads what is stored in place, refusing changes with a <see cref="TransientException"/>
/// until it has.
/// </summary>
[GrainType("organization-usage"), Orleans.Concurrency.Reentrant]
public sealed class OrganizationUsageGrain(
    [PersistentState(StorageNames.State, StorageNames.CloudController)] IPersistentState<OrganizationUsageGrainState> state,
    Microsoft.Extensions.Options.IOptions<UsageOptions> options,
    Polly.Registry.ResiliencePipelineProvider<string> retries)
    : Grain, IOrganizationUsageGrain
{
    private GroupCommit<OrganizationUsageGrainState>? _commits;
    private OrganizationUsageGrainState? _current;
    private bool _reloading;

    private OrganizationUsageGrainState Current => _current ??= state.State ?? new OrganizationUsageGrainState();

    public Task<OrganizationUsage> UsageAsync() => Task.FromResult(new OrganizationUsage(
        Current.Apps.Values.Sum(a => a.RunningInstances), Current.Memory, Current.Routes.Count, Current.Domains.Count));

    /// <summary>The ledger checks itself against its apps and routes a while after it activates, then every few minutes.</summary>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _ = this.RegisterGrainTimer(_ => CheckAsync(), new GrainTimerCreationOptions(options.Value.CheckAfter, options.Value.CheckEvery) { Interleave = true });
        return Task.CompletedTask;
    }

    /// <summary>
    /// Asks every app and route the ledger holds whether it is stored as the ledger says (each answers in its own turn,
    /// so never in the middle of its own change); a reservation whose store failed, or whose resource is gone or moved,
    /// is brought in line. The ledger's own changes go on meanwhile (it is reentrant).
    /// </summary>
    private async Task CheckAsync()
    {
        var org = this.GetPrimaryKey();
        foreach (var chunk in Current.Apps.Keys.Chunk(64))
        {
            await Task.WhenAll(chunk.Select(app => IgnoreFailure(GrainFactory.GetGrain<GrainInterfaces.Apps.IAppGrain>(app).ConfirmUsageAsync(org))));
        }

        foreach (var chunk in Current.Routes.Chunk(64))
        {
            await Task.WhenAll(chunk.Select(route => IgnoreFailure(GrainFactory.GetGrain<GrainInterfaces.Routes.IRouteGrain>(route).ConfirmUsageAsync(org))));
        }

        foreach (var chunk in Current.Tasks.Keys.Chunk(64))
        {
            await Task.WhenAll(chunk.Select(task => IgnoreFailure(ConfirmTaskAsync(task))));
        }

        foreach (var chunk in Current.Domains.Chunk(64))
        {
            await Task.WhenAll(chunk.Select(domain => IgnoreFailure(GrainFactory.GetGrain<GrainInterfaces.Domains.IDomainGrain>(domain).ConfirmUsageAsync(org))));
        }
    }

    /// <summary>A task whose store failed, or that ended without its release landing, gives its memory back.</summary>
    private async Task ConfirmTaskAsync(Guid task)
    {
        if (await GrainFactory.GetGrain<GrainInterfaces.Tasks.ITaskGrain>(task).FindAsync() is not { Ended: false })
        {
            await ReleaseTaskAsync(task);
        }
    }

    private static async Task IgnoreFailure(Task check)
    {
        try
        {
            await check;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The next check asks again.
        }
    }

    public async Task ReserveAppAsync(Guid app, AppDemand demand)
    {
        if (Unchanged(app, demand))
        {
            return;
        }

        var quota = await QuotaAsync();
        // From here to the commit nothing awaits: the check and the change are one turn.
        var current = Current;
        var before = current.Apps.GetValueOrDefault(app);
        if (Unchanged(app, demand))
        {
            return;
        }

        if (quota is not null)
        {
            QuotaRules.CheckApp(quota, before, demand, current.Memory, current.Apps.Values.Sum(a => a.RunningInstances));
        }

        await CommitAsync(current with { Apps = demand.Started ? current.Apps.SetItem(app, demand) : current.Apps.Remove(app) });
    }

    public Task ConfirmAppAsync(Guid app, AppDemand demand) =>
        Unchanged(app, demand) ? Task.CompletedTask
        : CommitAsync(Current with { Apps = demand.Started ? Current.Apps.SetItem(app, demand) : Current.Apps.Remove(app) });

    public Task ReleaseAppAsync(Guid app) =>
        Current.Apps.ContainsKey(app) ? CommitAsync(Current with { Apps = Current.Apps.Remove(app) }) : Task.CompletedTask;

    /// <summary>A task's memory, checked like one more instance (its size against the instance memory limit, the total against the memory limit); tasks are not app instances.</summary>
    public async Task ReserveTaskAsync(Guid task, int memory)
    {
        if (Current.Tasks.ContainsKey(task))
        {
            return;
        }

        var quota = await QuotaAsync();
        var current = Current;
        if (current.Tasks.ContainsKey(task))
        {
            return;
        }

        if (quota is not null)
        {
            QuotaRules.CheckApp(quota, null, new AppDemand(0, 0, true, memory, 0, memory), current.Memory, current.Apps.Values.Sum(a => a.RunningInstances));
        }

        await CommitAsync(current with { Tasks = current.Tasks.Add(task, memory) });
    }

    public Task ReleaseTaskAsync(Guid task) =>
        Current.Tasks.ContainsKey(task) ? CommitAsync(Current with { Tasks = Current.Tasks.Remove(task) }) : Task.CompletedTask;

    public async Task ReserveRouteAsync(Guid route)
    {
        if (Current.Routes.Contains(route))
        {
            return;
        }

        var quota = await QuotaAsync();
        var current = Current;
        if (current.Routes.Contains(route))
        {
            return;
        }

        if (quota is not null)
        {
            QuotaRules.CheckRoutes(quota, current.Routes.Count + 1);
        }

        await CommitAsync(current with { Routes = current.Routes.Add(route) });
    }

    public async Task ReserveDomainAsync(Guid domain)
    {
        if (Current.Domains.Contains(domain))
        {
            return;
        }

        var quota = await QuotaAsync();
        var name = quota is null ? "" : (await GrainFactory.GetGrain<IOrganizationGrain>(this.GetPrimaryKey()).FindAsync())?.Name ?? "";
        var current = Current;
        if (current.Domains.Contains(domain))
        {
            return;
        }

        if (quota is not null)
        {
            QuotaRules.CheckPrivateDomains(quota, current.Domains.Count + 1, name);
        }

        await CommitAsync(current with { Domains = current.Domains.Add(domain) });
    }

    public Task ReleaseDomainAsync(Guid domain) =>
        Current.Domains.Contains(domain) ? CommitAsync(Current with { Domains = Current.Domains.Remove(domain) }) : Task.CompletedTask;

    public Task ReleaseRouteAsync(Guid route) =>
        Current.Routes.Contains(route) ? CommitAsync(Current with { Routes = Current.Routes.Remove(route) }) : Task.CompletedTask;

    private bool Unchanged(Guid app, AppDemand demand)
    {
        var before = Current.Apps.GetValueOrDefault(app);
        return before == demand || (before is null && !demand.Started);
    }

    /// <summary>Applies the change in memory now and waits until the write it joins is stored.</summary>
    private Task CommitAsync(OrganizationUsageGrainState next)
    {
        if (_reloading)
        {
            throw new TransientException($"Usage of organization {this.GetPrimaryKey()} is reloading after a failed write; retry.");
        }

        _current = next;
        return (_commits ??= new GroupCommit<OrganizationUsageGrainState>(WriteAsync, Failed)).Add(next);
    }

    /// <summary>A batch's newest state holds every change in it.</summary>
    private Task WriteAsync(IReadOnlyList<OrganizationUsageGrainState> batch)
    {
        state.State = batch[^1];
        return state.WriteStateAsync();
    }

    /// <summary>Not stored (or not known to be): the callers failed; memory goes back to what is stored.</summary>
    private void Failed(Exception exception)
    {
        _reloading = true;
        _ = ReloadAsync();
    }

    private async Task ReloadAsync()
    {
        await retries.GetPipeline(Retries.UntilAnswered).InTurnAsync(async cancellation => await state.ReadStateAsync(cancellation));
        _current = null;
        _reloading = false;
    }

    /// <summary>The organization's quota now (it may have been changed since the last call); null when it has none.</summary>
    private async Task<QuotaLimits?> QuotaAsync() =>
        await GrainFactory.GetGrain<IOrganizationGrain>(this.GetPrimaryKey()).QuotaDefinitionAsync() is { } quota
            ? (await GrainFactory.GetGrain<IQuotaDefinitionGrain>(quota).FindAsync())?.Limits
            : null;
}
