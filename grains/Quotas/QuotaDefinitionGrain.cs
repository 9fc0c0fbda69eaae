using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Indexes;
using CloudController.GrainInterfaces.Quotas;
using CloudController.Grains.Indexes;
using CloudController.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace CloudController.Grains.Quotas;

/// <summary>Persisted form of a quota definition. Ids are permanent: add new ones, never renumber.</summary>
[GenerateSerializer, Alias("CloudController.Grains.Quotas.QuotaDefinitionGrainState")]
public sealed record QuotaDefinitionGrainState
{
    [Id(0)] public QuotaLimits? Limits { get; init; }
    [Id(1)] public DateTimeOffset CreatedAt { get; init; }
    [Id(2)] public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>Derived work the last stored change still owes (see <see cref="Storage.Outstanding"/>).</summary>
    [Id(3)] public Storage.Outstanding? Outstanding { get; init; }
}

[GrainType("quota-definition")]
public sealed partial class QuotaDefinitionGrain(
    [PersistentState(StorageNames.State, StorageNames.CloudController)] IPersistentState<QuotaDefinitionGrainState> state,
    Events.AuditTrail trail,
    TimeProvider clock,
    ILogger<QuotaDefinitionGrain> logger) : Grain, IQuotaDefinitionGrain
{
    private CommitPoint<QuotaDefinitionGrainState>? _commit;

    private Guid Guid => this.GetPrimaryKey();

    private CommitPoint<QuotaDefinitionGrainState> Commit => _commit ??= new(this, state, s => s.Outstanding, (s, o) => s with { Outstanding = o },
        (s, owed) => IndexedWrite.DeriveAsync(GrainFactory, Placement(s), Entry(s), owed.Releases), trail, logger);

    public override Task OnActivateAsync(CancellationToken cancellationToken) => Commit.ResumeAsync();

    private QuotaLimits Current =>
        state.RecordExists && state.State.Limits is { } limits ? limits : throw CloudControllerException.QuotaDefinitionNotFound(Guid);

    public async Task<QuotaSnapshot> CreateAsync(QuotaLimits limits)
    {
        if (state.RecordExists)
        {
            throw NameTaken(limits.Name);
        }

        var next = new QuotaDefinitionGrainState { Limits = QuotaRules.Valid(limits), CreatedAt = clock.GetUtcNow() };
        await IndexedWrite.ClaimAsync(GrainFactory, Placement(next).Index, Entry(next), () => NameTaken(next.Limits.Name), Holder);
        await Commit.StoreAsync(next, Outstanding.Work());
        LogCreated(Guid, next.Limits.Name);
        return Snapshot(next);
    }

    public async Task<QuotaSnapshot> EnsureAsync(QuotaLimits limits) =>
        state.RecordExists ? Snapshot(state.State) : await CreateAsync(limits);

    public Task<QuotaSnapshot> GetAsync() => Task.FromResult(Snapshot(state.State with { Limits = Current }));

    public Task<QuotaSnapshot?> FindAsync() =>
        Task.FromResult(state.RecordExists && state.State.Limits is not null ? Snapshot(state.State) : null);

    public Task ReindexAsync() => Commit.RepairAsync();

    public Task<bool> ConfirmEntryAsync(string index) => IndexedWrite.ConfirmAsync(GrainFactory, index, Guid,
        state.RecordExists && state.State.Limits is not null ? (Placement(state.State), Entry(state.State)) : null);

    public async Task<QuotaSnapshot> UpdateAsync(QuotaChanges changes)
    {
        var current = state.State with { Limits = Current };
        var next = current with { Limits = QuotaRules.Valid(QuotaRules.Apply(current.Limits!, changes)), UpdatedAt = clock.GetUtcNow() };
        await IndexedWrite.ClaimChangeAsync(GrainFactory, Placement(current), Entry(current), Placement(next), Entry(next), () => NameTaken(next.Limits.Name), Holder);
        await Commit.StoreAsync(next, Outstanding.Work(IndexedWrite.Left(Placement(current), Placement(next), Guid)));
        return Snapshot(next);
    }

    public async Task DeleteAsync()
    {
        var current = state.State with { Limits = Current };
        await state.ClearStateAsync();
        await IndexedWrite.ReleaseAsync(GrainFactory, Placement(current), Guid);
        LogDeleted(Guid);
    }

    private QuotaSnapshot Snapshot(QuotaDefinitionGrainState s) => new(Guid, s.Limits!, s.CreatedAt, s.UpdatedAt);

    private IndexEntry Entry(QuotaDefinitionGrainState s) => new(Guid, s.Limits!.Name, string.Empty, s.CreatedAt, []);

    private static CloudControllerException NameTaken(string name) =>
        new(CfErrorCode.QuotaDefinitionNameTaken, $"Quota Definition is taken: {name}");

    private IIndexedGrain Holder(Guid holder) => GrainFactory.GetGrain<IQuotaDefinitionGrain>(holder);

    private static IndexPlacement Placement(QuotaDefinitionGrainState s) => IndexPlacement.QuotaDefinition(s.Limits!.Name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Quota definition {QuotaGuid} created as {Name}")]
    private partial void LogCreated(Guid quotaGuid, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Quota definition {QuotaGuid} deleted")]
    private partial void LogDeleted(Guid quotaGuid);
}

/// <summary>Validation of quota definitions and the checks against them. Pure.</summary>
public static class QuotaRules
{
    public static QuotaLimits Apply(QuotaLimits current, QuotaChanges c) => current with
    {
        Name = c.Name ?? current.Name,
        NonBasicServicesAllowed = c.NonBasicServicesAllowed ?? current.NonBasicServicesAllowed,
        TotalServices = c.TotalServices ?? current.TotalServices,
        TotalRoutes = c.TotalRoutes ?? current.TotalRoutes,
        TotalPrivateDomains = c.TotalPrivateDomains ?? current.TotalPrivateDomains,
        MemoryLimit = c.MemoryLimit ?? current.MemoryLimit,
        InstanceMemoryLimit = c.InstanceMemoryLimit ?? current.InstanceMemoryLimit,
        AppInstanceLimit = c.AppInstanceLimit ?? current.AppInstanceLimit,
        AppTaskLimit = c.AppTaskLimit ?? current.AppTaskLimit,
        TotalServiceKeys = c.TotalServiceKeys ?? current.TotalServiceKeys,
        TotalReservedRoutePorts = c.TotalReservedRoutePorts ?? current.TotalReservedRoutePorts,
    };

    public static QuotaLimits Valid(QuotaLimits limits)
    {
        var name = limits.Name.Trim();
        if (name.Length is 0 or > 255 || name.Any(char.IsControl))
        {
            throw Invalid("name must be 1 to 255 printable characters");
        }

        (string Field, long Value)[] figures =
        [
            ("total_services", limits.TotalServices), ("total_routes", limits.TotalRoutes),
            ("total_private_domains", limits.TotalPrivateDomains), ("memory_limit", limits.MemoryLimit),
            ("instance_memory_limit", limits.InstanceMemoryLimit), ("app_instance_limit", limits.AppInstanceLimit),
            ("app_task_limit", limits.AppTaskLimit), ("total_service_keys", limits.TotalServiceKeys),
            ("total_reserved_route_ports", limits.TotalReservedRoutePorts),
        ];
        foreach (var (field, value) in figures)
        {
            if (value < QuotaLimits.Unlimited)
            {
                throw Invalid($"{field} must be at least -1 (unlimited)");
            }
        }

        return limits with { Name = name };
    }

    /// <summary>
    /// Raises the CF quota error when an app going from <paramref name="before"/> to <paramref name="after"/> asks for
    /// more than the quota leaves, given the organization's totals with <paramref name="before"/> counted. A change that
    /// uses no more (a stop, a scale-down) always passes, so an organization over a lowered quota can shrink.
    /// </summary>
    public static void CheckApp(QuotaLimits quota, AppDemand? before, AppDemand after, long totalMemory, int totalInstances)
    {
        var oldMemory = before?.Memory ?? 0;
        var oldInstances = before?.RunningInstances ?? 0;
        // Every check runs on every change that could break it: a larger instance (even at the same total, 2x512 MB
        // traded for 1x1024 MB), more memory in all, or more instances.
        var largestBefore = before is { Started: true } ? before.LargestInstance : 0;
        if (after.Started && after.LargestInstance > largestBefore && quota.InstanceMemoryLimit != QuotaLimits.Unlimited
            && after.LargestInstance > quota.InstanceMemoryLimit)
        {
            throw new CloudControllerException(CfErrorCode.QuotaInstanceMemoryLimitExceeded,
                "You have exceeded the instance memory limit for your organization's quota.");
        }

        if (after.Memory > oldMemory && quota.MemoryLimit != QuotaLimits.Unlimited && totalMemory - oldMemory + after.Memory > quota.MemoryLimit)
        {
            throw new CloudControllerException(CfErrorCode.AppMemoryQuotaExceeded, "You have exceeded your organization's memory limit.");
        }

        if (after.RunningInstances > oldInstances && quota.AppInstanceLimit != QuotaLimits.Unlimited
            && totalInstances - oldInstances + after.RunningInstances > quota.AppInstanceLimit)
        {
            throw new CloudControllerException(CfErrorCode.QuotaInstanceLimitExceeded, "You have exceeded the instance limit for your organization's quota.");
        }
    }

    public static void CheckPrivateDomains(QuotaLimits quota, int domainsAfter, string organization)
    {
        if (quota.TotalPrivateDomains != QuotaLimits.Unlimited && domainsAfter > quota.TotalPrivateDomains)
        {
            throw new CloudControllerException(CfErrorCode.TotalPrivateDomainsExceeded,
                $"The number of private domains exceeds the quota for organization: {organization}");
        }
    }

    public static void CheckRoutes(QuotaLimits quota, int routesAfter)
    {
        if (quota.TotalRoutes != QuotaLimits.Unlimited && routesAfter > quota.TotalRoutes)
        {
            throw new CloudControllerException(CfErrorCode.OrgQuotaTotalRoutesExceeded,
                "You have exceeded the total routes for your organization's quota.");
        }
    }

    private static CloudControllerException Invalid(string detail) =>
        new(CfErrorCode.QuotaDefinitionInvalid, $"Quota Definition is invalid: {detail}");
}
