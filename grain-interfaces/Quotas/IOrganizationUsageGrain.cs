namespace CloudController.GrainInterfaces.Quotas;

/// <summary>
/// What an organization uses against its quota (key: the organization's guid): the memory and instances of its
/// started apps and its routes. Apps and routes reserve here before they store a change that uses more, so two
/// concurrent starts cannot both fit into the last free memory. Each reservation is an absolute figure per app, so
/// repeating one (a retry after a failed store) never counts twice.
/// </summary>
[Alias("CloudController.GrainInterfaces.Quotas.IOrganizationUsageGrain")]
public interface IOrganizationUsageGrain : IGrainWithGuidKey
{
    /// <summary>
    /// Sets what an app uses (nothing when stopped); raises AppMemoryQuotaExceeded, QuotaInstanceMemoryLimitExceeded or
    /// QuotaInstanceLimitExceeded when it would use more than before and more than the quota allows.
    /// </summary>
    [Alias("ReserveAppAsync"), ResponseTimeout(Hosting.CallBounds.Nested)]
    Task ReserveAppAsync(Guid app, AppDemand demand);

    /// <summary>
    /// Sets what an app uses as its stored state says, without a quota check: after its store (it uses less than it
    /// reserved), or when the ledger's own check finds a reservation whose store failed.
    /// </summary>
    [Alias("ConfirmAppAsync"), ResponseTimeout(Hosting.CallBounds.Nested)]
    Task ConfirmAppAsync(Guid app, AppDemand demand);

    /// <summary>Forgets an app (deleted, moved to another organization).</summary>
    [Alias("ReleaseAppAsync"), ResponseTimeout(Hosting.CallBounds.Nested)]
    Task ReleaseAppAsync(Guid app);

    /// <summary>Reserves a task's memory until it ends; raises the quota's errors (memory, instance memory) when it does not fit. Idempotent.</summary>
    [Alias("ReserveTaskAsync"), ResponseTimeout(Hosting.CallBounds.Nested)]
    Task ReserveTaskAsync(Guid task, int memory);

    /// <summary>Gives an ended task's memory back. Idempotent.</summary>
    [Alias("ReleaseTaskAsync"), ResponseTimeout(Hosting.CallBounds.Nested)]
    Task ReleaseTaskAsync(Guid task);

    /// <summary>Counts a new route; raises OrgQuotaTotalRoutesExceeded.</summary>
    [Alias("ReserveRouteAsync"), ResponseTimeout(Hosting.CallBounds.Nested)]
    Task ReserveRouteAsync(Guid route);

    [Alias("ReleaseRouteAsync"), ResponseTimeout(Hosting.CallBounds.Nested)]
    Task ReleaseRouteAsync(Guid route);

    /// <summary>Counts a new private domain; raises TotalPrivateDomainsExceeded.</summary>
    [Alias("ReserveDomainAsync"), ResponseTimeout(Hosting.CallBounds.Nested)]
    Task ReserveDomainAsync(Guid domain);

    [Alias("ReleaseDomainAsync"), ResponseTimeout(Hosting.CallBounds.Nested)]
    Task ReleaseDomainAsync(Guid domain);

    /// <summary>What the organization uses now (v3's usage summary).</summary>
    [Alias("UsageAsync"), Orleans.Concurrency.ReadOnly]
    Task<OrganizationUsage> UsageAsync();

}

/// <summary>An organization's usage: started instances and their memory, routes and private domains.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Quotas.OrganizationUsage")]
public sealed record OrganizationUsage(
    [property: Id(0)] int StartedInstances, [property: Id(1)] long MemoryInMb, [property: Id(2)] int Routes, [property: Id(3)] int PrivateDomains);

/// <summary>
/// What one app asks of its organization's quota: its web process's instances and their memory, plus the totals of
/// its other processes (Procfile types) and the memory of their largest instance.
/// </summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Quotas.AppDemand")]
public sealed record AppDemand(
    [property: Id(0)] int MemoryPerInstance,
    [property: Id(1)] int Instances,
    [property: Id(2)] bool Started,
    [property: Id(3)] long OtherMemory = 0,
    [property: Id(4)] int OtherInstances = 0,
    [property: Id(5)] int OtherLargestInstance = 0)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public long Memory => Started ? ((long)MemoryPerInstance * Instances) + OtherMemory : 0;

    [System.Text.Json.Serialization.JsonIgnore]
    public int RunningInstances => Started ? Instances + OtherInstances : 0;

    /// <summary>The memory of the app's largest instance, which the quota's instance memory limit bounds.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public int LargestInstance => Math.Max(MemoryPerInstance, OtherLargestInstance);
}

