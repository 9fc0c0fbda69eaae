using Azure.Storage.Blobs;
using CloudController.Grains.Storage;
using CloudController.Storage;
using CloudController.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace CloudController.Tests.Storage;

/// <summary>
/// Orleans' <c>AzureBlobGrainStorage</c> exactly as the silo composes it (its serializer, behind
/// <see cref="CloudControllerGrainStorage"/>), each on a fresh container of the Azurite that <c>./test.sh</c> started.
/// </summary>
public sealed class StorageFixture : IAsyncLifetime
{
    private SiloHost _silo = null!;

    public BlobServiceClient Blobs { get; } = BlobStorageConnection.CreateClient(TestStorage.ConnectionString);

    public async Task InitializeAsync()
    {
        _silo = new SiloHost(TestStorage.FreePort(), TestStorage.FreePort(), TestStorage.UniqueContainer("storage-silo"), TestStorage.UniqueTable("storage"));
        await _silo.StartAsync();
    }

    public Task DisposeAsync() => _silo.StopAsync();

    /// <summary>A provider on its own new container (its requests through <paramref name="faults"/>, when given).</summary>
    public async Task<(IGrainStorage Storage, BlobContainerClient Container)> NewStorageAsync(StorageFaults? faults = null, TimeSpan? operationTimeout = null) =>
        await StorageOnAsync(TestStorage.UniqueContainer("gs"), faults, operationTimeout);

    /// <summary>Another provider instance on a container: what a second silo would have.</summary>
    public async Task<(IGrainStorage Storage, BlobContainerClient Container)> StorageOnAsync(
        string containerName, StorageFaults? faults = null, TimeSpan? operationTimeout = null)
    {
        var options = new AzureBlobStorageOptions
        {
            BlobServiceClient = faults is null ? Blobs : BlobStorageConnection.CreateClient(TestStorage.ConnectionString, policy: faults),
            ContainerName = containerName,
            GrainStorageSerializer = _silo.Services.GetRequiredKeyedService<IGrainStorageSerializer>(StorageNames.Blobs),
        };
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(_silo.Services.GetRequiredService<IActivatorProvider>())
            .AddSingleton<IOptionsMonitor<AzureBlobStorageOptions>>(new FixedOptions(options))
            .BuildServiceProvider();
        var inner = AzureBlobGrainStorageFactory.Create(services, StorageNames.Blobs);
        await StartAsync(inner);
        var storage = new CloudControllerGrainStorage(inner, skipReadOfNewGrains: true, services.GetRequiredService<IActivatorProvider>(),
            services.GetRequiredService<ILogger<CloudControllerGrainStorage>>(), operationTimeout);
        return (storage, Blobs.GetBlobContainerClient(containerName));
    }

    /// <summary>Runs the provider's silo-lifecycle start (it creates the container there).</summary>
    private static async Task StartAsync(AzureBlobGrainStorage provider)
    {
        var lifecycle = new StartOnlyLifecycle();
        provider.Participate(lifecycle);
        foreach (var observer in lifecycle.Observers)
        {
            await observer.OnStart(CancellationToken.None);
        }
    }

    private sealed class FixedOptions(AzureBlobStorageOptions options) : IOptionsMonitor<AzureBlobStorageOptions>
    {
        public AzureBlobStorageOptions CurrentValue => options;

        public AzureBlobStorageOptions Get(string? name) => options;

        public IDisposable? OnChange(Action<AzureBlobStorageOptions, string?> listener) => null;
    }

    private sealed class StartOnlyLifecycle : ISiloLifecycle
    {
        public List<ILifecycleObserver> Observers { get; } = [];

        public int HighestCompletedStage => 0;

        public int LowestStoppedStage => 0;

        public IDisposable Subscribe(string observerName, int stage, ILifecycleObserver observer)
        {
            Observers.Add(observer);
            return new NoOp();
        }

        private sealed class NoOp : IDisposable
        {
            public void Dispose()
            {
            }
        }
    }
}
