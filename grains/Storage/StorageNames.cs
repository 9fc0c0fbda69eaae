namespace CloudController.Grains.Storage;

/// <summary>Grain storage provider and state names.</summary>
public static class StorageNames
{
    /// <summary>The named grain storage every grain uses (<see cref="CloudControllerGrainStorage"/>).</summary>
    public const string CloudController = "cloud-controller";

    /// <summary>Orleans' <c>AzureBlobGrainStorage</c> underneath it, which does all reading and writing.</summary>
    public const string Blobs = "cloud-controller-blobs";

    /// <summary>The state name every grain uses; Orleans' provider stores it at <c>state-&lt;grain type&gt;/&lt;key&gt;.json</c>.</summary>
    public const string State = "state";
}
