using CloudController.GrainInterfaces.Indexes;

namespace CloudController.GrainInterfaces.Quotas;

/// <summary>An organization quota definition (key: its guid); names are unique.</summary>
[Alias("CloudController.GrainInterfaces.Quotas.IQuotaDefinitionGrain")]
public interface IQuotaDefinitionGrain : IIndexedGrain
{
    /// <summary>Creates the quota; raises QuotaDefinitionNameTaken, QuotaDefinitionInvalid.</summary>
    [Alias("CreateAsync")]
    Task<QuotaSnapshot> CreateAsync(QuotaLimits limits);

    /// <summary>Creates the quota unless it exists (the configured default quota, seeded at start).</summary>
    [Alias("EnsureAsync")]
    Task<QuotaSnapshot> EnsureAsync(QuotaLimits limits);

    /// <summary>The quota; raises QuotaDefinitionNotFound.</summary>
    [Alias("GetAsync")]
    Task<QuotaSnapshot> GetAsync();

    /// <summary>The quota, or null when it does not exist.</summary>
    [Alias("FindAsync")]
    Task<QuotaSnapshot?> FindAsync();

    /// <summary>Applies the given limits; raises QuotaDefinitionNotFound, QuotaDefinitionNameTaken, QuotaDefinitionInvalid.</summary>
    [Alias("UpdateAsync")]
    Task<QuotaSnapshot> UpdateAsync(QuotaChanges changes);

    /// <summary>Deletes the quota; raises QuotaDefinitionNotFound.</summary>
    [Alias("DeleteAsync")]
    Task DeleteAsync();
}

/// <summary>What a quota allows an organization; -1 means unlimited where CF allows it.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Quotas.QuotaLimits")]
public sealed record QuotaLimits(
    [property: Id(0)] string Name,
    [property: Id(1)] bool NonBasicServicesAllowed,
    [property: Id(2)] int TotalServices,
    [property: Id(3)] int TotalRoutes,
    [property: Id(4)] int TotalPrivateDomains,
    [property: Id(5)] long MemoryLimit,
    [property: Id(6)] long InstanceMemoryLimit,
    [property: Id(7)] int AppInstanceLimit,
    [property: Id(8)] int AppTaskLimit,
    [property: Id(9)] int TotalServiceKeys,
    [property: Id(10)] int TotalReservedRoutePorts)
{
    public const int Unlimited = -1;

    /// <summary>CF's <c>default</c> quota definition (config/cloud_controller.yml).</summary>
    public static QuotaLimits Default(string name) => new(name, true, 100, 1000, -1, 10240, -1, -1, -1, -1, 0);
}

/// <summary>Limits to change; null leaves one as it is.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Quotas.QuotaChanges")]
public sealed record QuotaChanges(
    string? Name = null,
    bool? NonBasicServicesAllowed = null,
    int? TotalServices = null,
    int? TotalRoutes = null,
    int? TotalPrivateDomains = null,
    long? MemoryLimit = null,
    long? InstanceMemoryLimit = null,
    int? AppInstanceLimit = null,
    int? AppTaskLimit = null,
    int? TotalServiceKeys = null,
    int? TotalReservedRoutePorts = null);

/// <summary>A quota definition as callers see it.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Quotas.QuotaSnapshot")]
public sealed record QuotaSnapshot(Guid Guid, QuotaLimits Limits, DateTimeOffset CreatedAt, DateTimeOffset? UpdatedAt);
