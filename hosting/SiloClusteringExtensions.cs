using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;

namespace CloudController.Hosting;

/// <summary>How a silo joins its cluster.</summary>
public static class SiloClusteringExtensions
{
    /// <summary>
    /// <c>Clustering:Provider</c> = <c>Localhost</c> (default: one silo) or <c>AzureStorage</c> (membership in the storage
    /// account's table; any number of silos). Either way the silo listens on <c>ORLEANS_SILO_PORT</c> and
    /// <c>ORLEANS_GATEWAY_PORT</c>; clustered, it advertises <c>Orleans:AdvertisedIP</c> (127.0.0.1 unless set).
    /// Failure detection is tunable under <c>Orleans:Membership</c> (Orleans' <see cref="ClusterMembershipOptions"/>).
    /// </summary>
    public static ISiloBuilder UseCloudControllerClustering(this ISiloBuilder silo, IConfiguration configuration, TableServiceClient tables)
    {
        var settings = ClusteringSettings.From(configuration);
        var siloPort = configuration.GetValue("ORLEANS_SILO_PORT", 11111);
        var gatewayPort = configuration.GetValue("ORLEANS_GATEWAY_PORT", 30000);
        if (!settings.UsesTableStorage)
        {
            return silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: settings.ServiceId, clusterId: settings.ClusterId);
        }

        silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (settings.ClusterId, settings.ServiceId));
        silo.ConfigureEndpoints(settings.AdvertisedAddress, siloPort, gatewayPort, listenOnAnyHostAddress: settings.ListenOnAnyAddress);
        silo.UseAzureStorageClustering((Orleans.Clustering.AzureStorage.AzureStorageClusteringOptions o) =>
        {
            o.TableServiceClient = tables;
            o.TableName = settings.TableName;
        });
        silo.Services.AddOptions<ClusterMembershipOptions>().BindConfiguration("Orleans:Membership");
        return silo;
    }
}
