using CloudController.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

namespace CloudController.Grains.Hosting;

public static class BlobGrainStorageServiceCollectionExtensions
{
    /// <summary>Registers a named <see cref="BlobGrainStorage"/>; it needs a <c>BlobServiceClient</c> in the container.</summary>
    public static IServiceCollection AddBlobGrainStorage(
        this IServiceCollection services,
        string name,
        Action<OptionsBuilder<BlobGrainStorageOptions>>? configure = null)
    {
        configure?.Invoke(services.AddOptions<BlobGrainStorageOptions>(name));
        services.AddTransient<IPostConfigureOptions<BlobGrainStorageOptions>,
            DefaultStorageProviderSerializerOptionsConfigurator<BlobGrainStorageOptions>>();
        services.AddTransient<IConfigurationValidator>(sp => new BlobGrainStorageOptionsValidator(
            sp.GetRequiredService<IOptionsMonitor<BlobGrainStorageOptions>>().Get(name), name));
        return services.AddGrainStorage(name, static (sp, storageName) =>
            ActivatorUtilities.CreateInstance<BlobGrainStorage>(
                sp, storageName, sp.GetRequiredService<IOptionsMonitor<BlobGrainStorageOptions>>().Get(storageName)));
    }
}
