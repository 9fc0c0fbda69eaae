using CloudController.Grains.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CloudController.Tests.Infrastructure;

/// <summary>
/// A real silo in a host: the production wiring (<see cref="CloudControllerSiloBuilderExtensions"/>), TCP ports, grain
/// state in blobs and reminders in a table of its own on Azurite. <paramref name="settings"/> add or override
/// configuration; <paramref name="configureSilo"/> may replace services (test hooks); <paramref name="faults"/> sees every
/// storage request the silo makes.
/// </summary>
public sealed class SiloHost(
    int siloPort,
    int gatewayPort,
    string grainStateContainer,
    string reminderTable,
    IReadOnlyDictionary<string, string?>? settings = null,
    Action<ISiloBuilder>? configureSilo = null,
    StorageFaults? faults = null)
{
    private IHost? _host;

    public IServiceProvider Services => _host?.Services ?? throw new InvalidOperationException("The silo is not running.");

    public async Task StartAsync()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var configuration = new Dictionary<string, string?>
        {
            ["ORLEANS_SILO_PORT"] = siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ORLEANS_GATEWAY_PORT"] = gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["CloudController:GrainStorage:ContainerName"] = grainStateContainer,
            ["CloudController:Work:ReminderTable"] = reminderTable,
            ["CloudController:Events:Table"] = "ev" + reminderTable,
            ["CloudController:Work:ResumePeriod"] = "00:00:02",
            ["CloudController:Bits:MaxPackageSize"] = TestLimits.MaxPackageSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Logging.AddFilter(level => level >= LogLevel.Warning).AddConsole();
        CloudControllerSiloBuilderExtensions.ValidateSiloConfiguration(builder.Configuration);
        builder.AddCloudControllerSilo(TestStorage.ConnectionString, configureSilo, faults);
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
