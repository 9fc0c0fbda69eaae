using System.Net;
using Microsoft.Extensions.Configuration;

namespace CloudController.Hosting;

/// <summary>
/// The clustering choice, read once from configuration and checked: <c>Clustering:Provider</c> (<c>Localhost</c> or
/// <c>AzureStorage</c>), <c>Orleans:ClusterId</c> / <c>Orleans:ServiceId</c>, <c>Orleans:AdvertisedIP</c> and
/// <c>Orleans:ListenOnAnyAddress</c>. With <c>AzureStorage</c>, membership lives in a table of the storage account
/// (<c>Clustering:TableName</c>, default <c>OrleansSiloInstances</c>).
/// </summary>
public sealed record ClusteringSettings(
    bool UsesTableStorage,
    string TableName,
    string ClusterId,
    string ServiceId,
    IPAddress AdvertisedAddress,
    bool ListenOnAnyAddress)
{
    public const string DefaultClusterId = "cloud-controller";
    public const string DefaultServiceId = "cloud-controller";
    public const string DefaultTableName = "OrleansSiloInstances";

    public static ClusteringSettings From(IConfiguration configuration)
    {
        var provider = configuration["Clustering:Provider"] ?? "Localhost";
        var usesTables = provider.Equals("AzureStorage", StringComparison.OrdinalIgnoreCase);
        if (!usesTables && !provider.Equals("Localhost", StringComparison.OrdinalIgnoreCase))
        {
            throw new OrleansConfigurationException($"Clustering:Provider '{provider}' is not supported; use 'Localhost' or 'AzureStorage'.");
        }

        var table = configuration["Clustering:TableName"] ?? DefaultTableName;
        TableNames.Validate("Clustering:TableName", table);

        var advertised = configuration["Orleans:AdvertisedIP"];
        IPAddress? address = IPAddress.Loopback;
        if (!string.IsNullOrEmpty(advertised) && !IPAddress.TryParse(advertised, out address))
        {
            throw new OrleansConfigurationException($"Orleans:AdvertisedIP '{advertised}' is not an IP address.");
        }

        return new ClusteringSettings(
            usesTables,
            table,
            configuration["Orleans:ClusterId"] ?? DefaultClusterId,
            configuration["Orleans:ServiceId"] ?? DefaultServiceId,
            address!,
            configuration.GetValue("Orleans:ListenOnAnyAddress", false));
    }
}
