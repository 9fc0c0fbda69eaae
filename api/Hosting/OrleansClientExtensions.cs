namespace CloudController.Api.Hosting;

internal static partial class OrleansClientExtensions
{
    /// <summary>
    /// The api is an Orleans client of the silo cluster (<c>Clustering:Provider</c> = <c>Localhost</c>: the gateway on
    /// <c>ORLEANS_GATEWAY_PORT</c>). It keeps retrying the first connection for <c>Orleans:ConnectTimeout</c>, so the
    /// api and the silo can start in any order.
    /// </summary>
    public static WebApplicationBuilder AddCloudControllerOrleansClient(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var provider = configuration["Clustering:Provider"] ?? "Localhost";
        if (!provider.Equals("Localhost", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"Clustering:Provider '{provider}' is not supported; use 'Localhost'.");
        }

        var connectTimeout = configuration.GetValue("Orleans:ConnectTimeout", TimeSpan.FromSeconds(60));
        builder.UseOrleansClient(client =>
        {
            client.UseLocalhostClustering(
                gatewayPort: configuration.GetValue("ORLEANS_GATEWAY_PORT", 30000),
                serviceId: configuration["Orleans:ServiceId"] ?? "cloud-controller",
                clusterId: configuration["Orleans:ClusterId"] ?? "cloud-controller");
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
