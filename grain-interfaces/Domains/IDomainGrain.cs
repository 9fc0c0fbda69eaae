using CloudController.GrainInterfaces.Indexes;

namespace CloudController.GrainInterfaces.Domains;

/// <summary>
/// A domain routes are made in (key: its guid): shared by every organization, or private to the one that owns it.
/// Names are unique across both kinds.
/// </summary>
[Alias("CloudController.GrainInterfaces.Domains.IDomainGrain")]
public interface IDomainGrain : IIndexedGrain
{
    /// <summary>Creates the domain; raises DomainNameTaken, DomainInvalid, InvalidRelation (unknown owning organization).</summary>
    [Alias("CreateAsync")]
    Task<DomainSnapshot> CreateAsync(CreateDomain command);

    /// <summary>Creates the domain unless it exists (configured shared domains, seeded by every front-end at start).</summary>
    [Alias("EnsureAsync")]
    Task<DomainSnapshot> EnsureAsync(CreateDomain command);

    /// <summary>The domain; raises DomainNotFound.</summary>
    [Alias("GetAsync")]
    Task<DomainSnapshot> GetAsync();

    /// <summary>The domain, or null when it does not exist. Interleaves (a read): a route names its domain while that domain deletes it.</summary>
    [Alias("FindAsync"), Orleans.Concurrency.AlwaysInterleave]
    Task<DomainSnapshot?> FindAsync();

    /// <summary>Whether the domain, as stored, counts in <paramref name="organization"/>'s usage ledger; if not it is released there.</summary>
    [Alias("ConfirmUsageAsync"), ResponseTimeout(Hosting.CallBounds.Nested)]
    Task<bool> ConfirmUsageAsync(Guid organization);

    /// <summary>Deletes the domain without routes; raises DomainNotFound, AssociationNotEmpty while it has routes (a deletion job removes those first).</summary>
    [Alias("DeleteAsync")]
    Task DeleteAsync();
}

/// <summary>A domain to create: shared when <see cref="OwningOrganizationGuid"/> is null.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Domains.CreateDomain")]
public sealed record CreateDomain(string Name, Guid? OwningOrganizationGuid, bool Internal, string? RouterGroupType);

/// <summary>A domain as callers see it.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Domains.DomainSnapshot")]
public sealed record DomainSnapshot(
    Guid Guid,
    string Name,
    Guid? OwningOrganizationGuid,
    bool Internal,
    string? RouterGroupType,
    DateTimeOffset CreatedAt)
{
    public bool Shared => OwningOrganizationGuid is null;

    /// <summary>Whether routes of an organization's spaces may use this domain.</summary>
    public bool UsableBy(Guid organization) => Shared || OwningOrganizationGuid == organization;
}
