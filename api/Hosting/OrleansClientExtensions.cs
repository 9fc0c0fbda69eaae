using CloudController.Hosting;
using CloudController.Storage;
using Orleans.Configuration;

namespace CloudController.Api.Hosting;

internal static partial class OrleansClientExtensions
{
    /// <summary>
    /// The api is an Orleans client of the silo cluster: <c>Clustering:Provider</c> = <c>Localhost</c> (the gateway on
    /// <c>ORLEANS_GATEWAY_PORT</c>) or <c>AzureStorage</c> (every silo's gateway, listed in the storage account's membership table). It keeps retrying the first connection for <c>Orleans:ConnectTimeout</c>, so the
    /// api and the silo can start in any order.
    /// </summary>
    public static WebApplicationBuilder AddCloudControllerOrleansClient(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var connectTimeout = configuration.GetValue("Orleans:ConnectTimeout", TimeSpan.FromSeconds(60));
        // A call forwarded to a silo that died is given up after this (then 503). Lower it for faster failover answers;
        // under a heavy burst a low value turns queueing into errors, so the default stays Orleans' 30 s.
        var responseTimeout = configuration.GetValue("Orleans:ResponseTimeout", TimeSpan.FromSeconds(30));
        builder.UseOrleansClient(client =>
        {
            client.UseCloudControllerClustering(configuration,
                () => TableStorageConnection.CreateClient(BlobStorageConnection.ConnectionString(configuration)));
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = responseTimeout);
            // A request's trace continues into the grain calls it makes.
            client.AddActivityPropagation();
            var started = TimeProvider.System.GetTimestamp();
            client.UseConnectionRetryFilter(async (exception, cancellationToken) =>
            {
                if (TimeProvider.System.GetElapsedTime(started) > connectTimeout)
                {
                    return false;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
                return true;
            });
        });
        return builder;
    }
}
