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

    /// <summary>Applies the given fields; raises SpaceNotFound, SpaceNameTaken, SpaceInvalid.</summary>
    [Alias("UpdateAsync")]
    Task<SpaceSnapshot> UpdateAsync(UpdateSpace command);

    /// <summary>Deletes the space (and its apps when recursive); raises SpaceNotFound, AssociationNotEmpty.</summary>
    [Alias("DeleteAsync")]
    Task DeleteAsync(bool recursive);
}
