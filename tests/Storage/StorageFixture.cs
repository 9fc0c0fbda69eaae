using Azure.Storage.Blobs;
using CloudController.Grains.Storage;
using CloudController.Storage;
using CloudController.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace CloudController.Tests.Storage;

/// <summary>A silo's service provider (for the production serializer and activators) and storages on fresh containers.</summary>
public sealed class StorageFixture : IAsyncLifetime
{
    private SiloHost _silo = null!;

    public BlobServiceClient Blobs { get; } = BlobStorageConnection.CreateClient(TestStorage.ConnectionString);

    public async Task InitializeAsync()
    {
        _silo = new SiloHost(TestStorage.FreePort(), TestStorage.FreePort(), TestStorage.UniqueContainer("storage-silo"));
        await _silo.StartAsync();
    }

    public Task DisposeAsync() => _silo.StopAsync();

    /// <summary>A provider exactly as the silo builds it, on its own (created) container.</summary>
    public async Task<(BlobGrainStorage Storage, BlobContainerClient Container)> NewStorageAsync() =>
        await StorageOnAsync(TestStorage.UniqueContainer("gs"));

    /// <summary>Another provider instance on an existing container: what a second silo would have.</summary>
    public async Task<(BlobGrainStorage Storage, BlobContainerClient Container)> StorageOnAsync(string containerName)
    {
        var options = new BlobGrainStorageOptions
        {
            ContainerName = containerName,
            GrainStorageSerializer = _silo.Services.GetRequiredKeyedService<IGrainStorageSerializer>(StorageNames.CloudController),
        };
        var storage = ActivatorUtilities.CreateInstance<BlobGrainStorage>(_silo.Services, "test", options, Blobs);
        var container = Blobs.GetBlobContainerClient(options.ContainerName);
        await container.CreateIfNotExistsAsync();
        return (storage, container);
    }
}
