using CloudController.Storage;
using Orleans.Storage;

namespace CloudController.Grains.Storage;

/// <summary>Options for <see cref="BlobGrainStorage"/>, one named instance per storage name.</summary>
public sealed class BlobGrainStorageOptions : IStorageProviderSerializerOptions
{
    public string ContainerName { get; set; } = BlobContainers.GrainState;

    /// <summary>Silo lifecycle stage at which the container is created.</summary>
    public int InitStage { get; set; } = ServiceLifecycleStage.ApplicationServices;

    public IGrainStorageSerializer GrainStorageSerializer { get; set; } = null!;
}
