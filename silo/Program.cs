using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using CloudController.Grains.Hosting;
using CloudController.Storage;

// Settings live beside the binary, wherever it is started from.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
var connectionString = BlobStorageConnection.ConnectionString(builder.Configuration);
try
{
    CloudControllerSiloBuilderExtensions.ValidateSiloConfiguration(builder.Configuration);
    var timeout = TimeSpan.FromSeconds(builder.Configuration.GetValue("Storage:StartupTimeoutSeconds", 30));
    await StorageProbe.EnsureReachableAsync(connectionString, timeout);
}
catch (Exception ex) when (ex is StorageUnavailableException or OrleansConfigurationException)
{
    Console.Error.WriteLine($"silo: cannot start: {ex.Message}");
    return 2;
}

builder.AddCloudControllerSilo(BlobStorageConnection.CreateClient(connectionString));
using var host = builder.Build();
try
{
    await host.RunAsync();
    return 0;
}
catch (Exception ex) when (ex is OrleansConfigurationException or OrleansException or IOException)
{
    // Configuration mistakes and taken ports: one clear line (the log above has the details).
    Console.Error.WriteLine($"silo: stopped: {ex.GetBaseException().Message}");
    return 1;
}
