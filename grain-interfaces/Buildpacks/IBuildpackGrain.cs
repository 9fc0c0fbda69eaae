using CloudController.GrainInterfaces.Indexes;
namespace CloudController.GrainInterfaces.Buildpacks;

/// <summary>An admin buildpack (key: its guid): its metadata; its bits, once uploaded, are the blob named by its guid in the <c>buildpacks</c> container.</summary>
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

    /// <summary>Records that its bits were uploaded as <paramref name="filename"/> (the blob is stored first); raises NotFound.</summary>
    [Alias("BitsUploadedAsync")]
    Task<BuildpackSnapshot> BitsUploadedAsync(string filename);

    /// <summary>Deletes the buildpack; raises NotFound.</summary>
    [Alias("DeleteAsync")]
    Task DeleteAsync();
}
