using Azure.Storage.Blobs;
using CloudController.GrainInterfaces.Hosting;
using CloudController.Grains.Bits;
using CloudController.Grains.Indexes;
using CloudController.Grains.Staging;
using CloudController.Grains.Storage;
using CloudController.Grains.Work;
using CloudController.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using System.Text.Json.Serialization;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;

namespace CloudController.Grains.Hosting;

/// <summary>The one silo wiring, used by <c>silo/Program.cs</c> and by the tests' clusters.</summary>
public static class CloudControllerSiloBuilderExtensions
{
    /// <summary>Configures the host as a Cloud Controller silo: clustering, grain storage on blobs, grain collection.</summary>
    public static IHostApplicationBuilder AddCloudControllerSilo(
        this IHostApplicationBuilder builder, BlobServiceClient blobs, Action<ISiloBuilder>? configureSilo = null)
    {
        var configuration = builder.Configuration;
        builder.Services.AddSingleton(blobs);
        builder.Services.AddSingleton<BitsContainers>();
        builder.Services.AddOptions<BitsOptions>().BindConfiguration(BitsOptions.Section);
        builder.Services.AddSingleton<BitsWorkGate>();
        builder.Services.AddSingleton<IBitsService, BlobBitsService>();
        builder.Services.TryAddSingleton<IStager, BlobStager>();
        builder.Services.AddSingleton<IPendingWork, BlobPendingWork>();
        builder.Services.AddSingleton<IIndexJournal, BlobIndexJournal>();
        builder.UseOrleans(silo =>
        {
            silo.UseCloudControllerClustering(configuration);
            silo.AddCloudControllerStorage();
            silo.Configure<GrainCollectionOptions>(o =>
                o.CollectionAge = configuration.GetValue("Orleans:CollectionAge", TimeSpan.FromMinutes(15)));
            configureSilo?.Invoke(silo);
        });

        // After UseOrleans: hosted services start in order, so the scan begins once the silo has joined.
        builder.Services.AddSingleton<PendingWorkScanner>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PendingWorkScanner>());
        return builder;
    }

    /// <summary>
    /// Checks the settings a silo needs before any host is built, so that a mistake is reported as one
    /// <see cref="OrleansConfigurationException"/> rather than a failed host start.
    /// </summary>
    public static void ValidateSiloConfiguration(IConfiguration configuration)
    {
        BlobGrainStorageOptionsValidator.ValidateContainerName(
            StorageNames.CloudController, configuration["CloudController:GrainStorage:ContainerName"] ?? BlobContainers.GrainState);
        _ = ClusteringSettings.From(configuration);
    }

    /// <summary>Grain state in blob storage under <see cref="StorageNames.CloudController"/>, serialized as plain JSON.</summary>
    public static ISiloBuilder AddCloudControllerStorage(this ISiloBuilder silo)
    {
        // Orleans' System.Text.Json serializer (no $type metadata), keyed by our storage name so the provider picks it.
        silo.Services.AddKeyedSingleton<IGrainStorageSerializer, SystemTextJsonGrainStorageSerializer>(StorageNames.CloudController);
        silo.Services.Configure<SystemTextJsonGrainStorageSerializerOptions>(o =>
            o.JsonSerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        silo.Services.AddBlobGrainStorage(StorageNames.CloudController, o => o.BindConfiguration("CloudController:GrainStorage"));
        return silo;
    }

    /// <summary>
    /// <c>Clustering:Provider</c> = <c>Localhost</c> (default: one silo) or <c>Redis</c> (membership in the Redis at
    /// <c>ConnectionStrings:Redis</c>; any number of silos). Either way the silo listens on <c>ORLEANS_SILO_PORT</c> and
    /// <c>ORLEANS_GATEWAY_PORT</c>; with Redis it advertises <c>Orleans:AdvertisedIP</c> (127.0.0.1 unless set).
    /// Failure detection is tunable under <c>Orleans:Membership</c> (Orleans' <see cref="ClusterMembershipOptions"/>).
    /// </summary>
    public static ISiloBuilder UseCloudControllerClustering(this ISiloBuilder silo, IConfiguration configuration)
    {
        var settings = ClusteringSettings.From(configuration);
        var siloPort = configuration.GetValue("ORLEANS_SILO_PORT", 11111);
        var gatewayPort = configuration.GetValue("ORLEANS_GATEWAY_PORT", 30000);
        if (!settings.UsesRedis)
        {
            return silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: settings.ServiceId, clusterId: settings.ClusterId);
        }

        silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (settings.ClusterId, settings.ServiceId));
        silo.ConfigureEndpoints(settings.AdvertisedAddress, siloPort, gatewayPort, listenOnAnyHostAddress: settings.ListenOnAnyAddress);
        silo.UseRedisClustering(settings.RedisConnectionString!);
        silo.Services.AddOptions<ClusterMembershipOptions>().BindConfiguration("Orleans:Membership");
        return silo;
    }

    /// <summary>The blob client for the configured connection (see <see cref="BlobStorageConnection"/>).</summary>
    public static BlobServiceClient CreateBlobServiceClient(IConfiguration configuration) =>
        BlobStorageConnection.CreateClient(BlobStorageConnection.ConnectionString(configuration));
}
