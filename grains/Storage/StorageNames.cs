namespace CloudController.Grains.Storage;

/// <summary>Grain storage provider and state names.</summary>
public static class StorageNames
{
    /// <summary>The named grain storage every grain uses.</summary>
    public const string CloudController = "cloud-controller";

    /// <summary>The state name every grain uses; it maps to <c>&lt;grain type&gt;/&lt;key&gt;.json</c>.</summary>
    public const string State = "state";
}
