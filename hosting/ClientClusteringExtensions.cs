using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Orleans.Configuration;

namespace CloudController.Hosting;

/// <summary>How an Orleans client (the api) finds the silos' gateways: the one local gateway, or the membership table.</summary>
public static class ClientClusteringExtensions
{
    /// <summary>
    /// <c>Localhost</c>: the gateway on <c>ORLEANS_GATEWAY_PORT</c>. <c>AzureStorage</c>: every live silo's gateway, read
    /// from the membership table in the storage account.
    /// </summary>
    public static IClientBuilder UseCloudControllerClustering(this IClientBuilder client, IConfiguration configuration, Func<TableServiceClient> tables)
    {
        var settings = ClusteringSettings.From(configuration);
        if (!settings.UsesTableStorage)
        {
            return client.UseLocalhostClustering(
                gatewayPort: configuration.GetValue("ORLEANS_GATEWAY_PORT", 30000),
                serviceId: settings.ServiceId,
                clusterId: settings.ClusterId);
        }

        client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (settings.ClusterId, settings.ServiceId));
        client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = configuration.GetValue("Orleans:GatewayListRefreshPeriod", TimeSpan.FromSeconds(10)));
        return client.UseAzureStorageClustering((Orleans.Clustering.AzureStorage.AzureStorageGatewayOptions o) =>
        {
            o.TableServiceClient = tables();
            o.TableName = settings.TableName;
        });
    }
}
