using CloudController.GrainInterfaces.Indexes;
namespace CloudController.GrainInterfaces.Spaces;

/// <summary>A CF space (key: its guid).</summary>
[Alias("CloudController.GrainInterfaces.Spaces.ISpaceGrain")]
public interface ISpaceGrain : IIndexedGrain
{
    /// <summary>Creates the space; raises InvalidRelation (unknown organization), SpaceNameTaken, SpaceInvalid.</summary>
    [Alias("CreateAsync")]
    Task<SpaceSnapshot> CreateAsync(CreateSpace command);

    /// <summary>The space; raises SpaceNotFound.</summary>
    [Alias("GetAsync")]
    Task<SpaceSnapshot> GetAsync();

    /// <summary>The space, or null when it does not exist (for listings).</summary>
    [Alias("FindAsync")]
    Task<SpaceSnapshot?> FindAsync();

    /// <summary>
    /// The space's organization, or null when the space does not exist. Interleaves with everything (an
    /// organization never changes), so an app or route asking while the space deletes them cannot deadlock.
    /// </summary>
    [Alias("OrganizationAsync"), Orleans.Concurrency.AlwaysInterleave]
    Task<Guid?> OrganizationAsync();

    /// <summary>Applies the given fields; raises SpaceNotFound, SpaceNameTaken, SpaceInvalid.</summary>
    [Alias("UpdateAsync")]
    Task<SpaceSnapshot> UpdateAsync(UpdateSpace command);

    /// <summary>Deletes the empty space; raises SpaceNotFound, AssociationNotEmpty while apps or routes are in it (a deletion job removes those first).</summary>
    [Alias("DeleteAsync")]
    Task DeleteAsync();
}
