using CloudController.GrainInterfaces.Indexes;
namespace CloudController.GrainInterfaces.Organizations;

/// <summary>A CF organization (key: its guid).</summary>
[Alias("CloudController.GrainInterfaces.Organizations.IOrganizationGrain")]
public interface IOrganizationGrain : IIndexedGrain
{
    /// <summary>Creates the organization; raises OrganizationNameTaken or OrganizationInvalid.</summary>
    [Alias("CreateAsync")]
    Task<OrganizationSnapshot> CreateAsync(CreateOrganization command);

    /// <summary>The organization; raises OrganizationNotFound.</summary>
    [Alias("GetAsync")]
    Task<OrganizationSnapshot> GetAsync();

    /// <summary>The organization, or null when it does not exist (for listings).</summary>
    [Alias("FindAsync")]
    Task<OrganizationSnapshot?> FindAsync();

    /// <summary>The organization's quota definition, or null when it does not exist. Interleaves with everything (the
    /// usage grain asks while the organization may be deleting the apps that report to it).</summary>
    [Alias("QuotaDefinitionAsync"), Orleans.Concurrency.AlwaysInterleave]
    Task<Guid?> QuotaDefinitionAsync();

    /// <summary>Applies the given fields; raises OrganizationNotFound, OrganizationNameTaken, OrganizationInvalid.</summary>
    [Alias("UpdateAsync")]
    Task<OrganizationSnapshot> UpdateAsync(UpdateOrganization command);

    /// <summary>
    /// Deletes the empty organization; raises OrganizationNotFound, AssociationNotEmpty while spaces or private domains are
    /// in it (a deletion job removes those first).
    /// </summary>
    [Alias("DeleteAsync")]
    Task DeleteAsync();
}
