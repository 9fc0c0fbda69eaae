using CloudController.Grains.Hosting;
using CloudController.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CloudController.Tests.Infrastructure;

/// <summary>A real silo process-in-a-host: the production wiring (<see cref="CloudControllerSiloBuilderExtensions"/>), TCP ports, blob storage on Azurite.</summary>
public sealed class SiloHost(int siloPort, int gatewayPort, string grainStateContainer)
{
    private IHost? _host;

    public IServiceProvider Services => _host?.Services ?? throw new InvalidOperationException("The silo is not running.");

    public async Task StartAsync()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ORLEANS_SILO_PORT"] = siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ORLEANS_GATEWAY_PORT"] = gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["CloudController:GrainStorage:ContainerName"] = grainStateContainer,
            ["CloudController:Work:ScanInterval"] = "00:00:01",
            ["CloudController:Bits:MaxPackageSize"] = TestLimits.MaxPackageSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        builder.Logging.AddFilter(level => level >= LogLevel.Warning).AddConsole();
        builder.AddCloudControllerSilo(BlobStorageConnection.CreateClient(TestStorage.ConnectionString));
        _host = builder.Build();
        await _host.StartAsync();
    }

    public async Task StopAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
            _host = null;
        }
    }
}
