using CloudController.Grains.Hosting;
using CloudController.Hosting;
using CloudController.Storage;
using Orleans.Dashboard;

// Settings live beside the binary, wherever it is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
var configuration = builder.Configuration;
var connectionString = BlobStorageConnection.ConnectionString(configuration);
try
{
    CloudControllerSiloBuilderExtensions.ValidateSiloConfiguration(configuration);
    var timeout = TimeSpan.FromSeconds(configuration.GetValue("Storage:StartupTimeoutSeconds", 30));
    await StorageProbe.EnsureReachableAsync(connectionString, timeout);
}
catch (Exception ex) when (ex is StorageUnavailableException or OrleansConfigurationException)
{
    Console.Error.WriteLine($"silo: cannot start: {ex.Message}");
    return 2;
}

// The silo's own small web server: the Orleans Dashboard, /healthz, /readyz and /metrics, on ORLEANS_DASHBOARD_PORT.
var httpHost = configuration.GetValue("Orleans:ListenOnAnyAddress", false) ? "0.0.0.0" : "127.0.0.1";
builder.WebHost.UseUrls($"http://{httpHost}:{configuration.GetValue("ORLEANS_DASHBOARD_PORT", 8080)}");
var dashboard = configuration.GetValue("Dashboard:Enabled", true);
var blobs = BlobStorageConnection.CreateClient(connectionString);
builder.AddCloudControllerSilo(connectionString, silo =>
{
    if (dashboard)
    {
        silo.AddDashboard();
    }
});

await using var app = builder.Build();
app.MapGet("/healthz", () => TypedResults.Text("ok"));
// Storage requests, grain calls, group commits and work runs, in Prometheus' text format.
app.MapMetrics();
app.MapGet("/readyz", async (IGrainFactory grains, CancellationToken cancellationToken) =>
{
    var silos = await ClusterReadiness.ActiveSilosAsync(grains, TimeSpan.FromSeconds(3));
    var storage = await StorageReadiness.AnswersAsync(blobs, TimeSpan.FromSeconds(3), cancellationToken);
    var ready = silos > 0 && storage;
    return TypedResults.Json(
        new { status = ready ? "ready" : "not ready", active_silos = silos, storage = storage ? "ok" : "unreachable" },
        statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
});
if (dashboard)
{
    app.MapOrleansDashboard();
}

try
{
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (ex is OrleansConfigurationException or OrleansException or IOException)
{
    // Configuration mistakes and taken ports: one clear line (the log above has the details).
    Console.Error.WriteLine($"silo: stopped: {ex.GetBaseException().Message}");
    return 1;
}
