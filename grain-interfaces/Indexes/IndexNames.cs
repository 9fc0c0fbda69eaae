namespace CloudController.GrainInterfaces.Indexes;

/// <summary>Keys of the index grains; persisted as part of blob names, so never renamed.</summary>
public static class IndexNames
{
    /// <summary>All organizations; scope is empty (names are globally unique).</summary>
    public const string Organizations = "organizations";

    /// <summary>All spaces; scope is the organization guid (names are unique per organization).</summary>
    public const string Spaces = "spaces";

    /// <summary>All apps; scope is the space guid (names are unique per space).</summary>
    public const string Apps = "apps";

    /// <summary>All v3 packages; scope is the app guid, name the package guid.</summary>
    public const string Packages = "packages";

    /// <summary>All droplets; scope is the app guid, name the droplet guid.</summary>
    public const string Droplets = "droplets";

    /// <summary>All admin buildpacks; scope is empty.</summary>
    public const string Buildpacks = "buildpacks";

    /// <summary>The scope value for a guid-scoped entry.</summary>
    public static string Scope(Guid guid) => guid.ToString("D");
}
