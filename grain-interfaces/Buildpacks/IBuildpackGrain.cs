using CloudController.GrainInterfaces.Indexes;
namespace CloudController.GrainInterfaces.Buildpacks;

/// <summary>An admin buildpack (key: its guid). Only its metadata: no buildpack bits are stored.</summary>
[Alias("CloudController.GrainInterfaces.Buildpacks.IBuildpackGrain")]
public interface IBuildpackGrain : IIndexedGrain
{
    /// <summary>Creates the buildpack; raises BuildpackNameTaken or BuildpackInvalid.</summary>
    [Alias("CreateAsync")]
    Task<BuildpackSnapshot> CreateAsync(CreateBuildpack command);

    /// <summary>The buildpack; raises NotFound (CF has no dedicated buildpack-not-found error).</summary>
    [Alias("GetAsync")]
    Task<BuildpackSnapshot> GetAsync();

    /// <summary>The buildpack, or null when it does not exist (for listings).</summary>
    [Alias("FindAsync")]
    Task<BuildpackSnapshot?> FindAsync();

    /// <summary>Deletes the buildpack; raises NotFound.</summary>
    [Alias("DeleteAsync")]
    Task DeleteAsync();
}
