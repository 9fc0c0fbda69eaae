namespace CloudController.Storage;

/// <summary>Blob container names (DESIGN.md "Blob storage layout"); persisted data lives under them, so never renamed.</summary>
public static class BlobContainers
{
    public const string GrainState = "grain-state";
    public const string Packages = "packages";
    public const string Droplets = "droplets";
    public const string Resources = "resources";
    public const string Uploads = "uploads";
    public const string Buildpacks = "buildpacks";
}
