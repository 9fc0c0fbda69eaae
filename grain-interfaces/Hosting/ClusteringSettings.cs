using System.Net;
using Microsoft.Extensions.Configuration;

namespace CloudController.GrainInterfaces.Hosting;

/// <summary>
/// The clustering choice, read once from configuration and checked: <c>Clustering:Provider</c> (<c>Localhost</c> or
/// <c>Redis</c>), <c>ConnectionStrings:Redis</c>, <c>Orleans:ClusterId</c> / <c>Orleans:ServiceId</c>,
/// <c>Orleans:AdvertisedIP</c> and <c>Orleans:ListenOnAnyAddress</c>.
/// </summary>
public sealed record ClusteringSettings(
    bool UsesRedis,
    string? RedisConnectionString,
    string ClusterId,
    string ServiceId,
    IPAddress AdvertisedAddress,
    bool ListenOnAnyAddress)
{
    public const string DefaultClusterId = "cloud-controller";
    public const string DefaultServiceId = "cloud-controller";

    public static ClusteringSettings From(IConfiguration configuration)
    {
        var provider = configuration["Clustering:Provider"] ?? "Localhost";
        var usesRedis = provider.Equals("Redis", StringComparison.OrdinalIgnoreCase);
        if (!usesRedis && !provider.Equals("Localhost", StringComparison.OrdinalIgnoreCase))
        {
            throw new OrleansConfigurationException($"Clustering:Provider '{provider}' is not supported; use 'Localhost' or 'Redis'.");
        }

        var redis = configuration.GetConnectionString("Redis");
        if (usesRedis && string.IsNullOrWhiteSpace(redis))
        {
            throw new OrleansConfigurationException("Clustering:Provider is 'Redis' but ConnectionStrings:Redis (ConnectionStrings__Redis) is not set.");
        }

        var advertised = configuration["Orleans:AdvertisedIP"];
        IPAddress? address = IPAddress.Loopback;
        if (!string.IsNullOrEmpty(advertised) && !IPAddress.TryParse(advertised, out address))
        {
            throw new OrleansConfigurationException($"Orleans:AdvertisedIP '{advertised}' is not an IP address.");
        }

        return new ClusteringSettings(
            usesRedis,
            redis,
            configuration["Orleans:ClusterId"] ?? DefaultClusterId,
            configuration["Orleans:ServiceId"] ?? DefaultServiceId,
            address!,
            configuration.GetValue("Orleans:ListenOnAnyAddress", false));
    }
}
