using CloudController.Hosting;
using CloudController.Router;
using CloudController.Storage;
using Orleans.Configuration;

// The router: gorouter's job for this Cloud Controller. An Orleans client of the silo cluster that keeps the route
// table in memory and forwards each request to a RUNNING instance of the app its hostname and path name.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
var configuration = builder.Configuration;
if (configuration["ROUTER_PORT"] is { Length: > 0 } port)
{
    builder.WebHost.UseUrls($"http://{configuration.GetValue("Router:ListenAddress", "127.0.0.1")}:{port}");
}

var connectTimeout = configuration.GetValue("Orleans:ConnectTimeout", TimeSpan.FromSeconds(60));
builder.UseOrleansClient(client =>
{
    client.UseCloudControllerClustering(configuration, () => TableStorageConnection.CreateClient(BlobStorageConnection.ConnectionString(configuration)));
    client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(5));
    var started = TimeProvider.System.GetTimestamp();
    // Keep trying to reach the cluster at start; a router that starts first waits for the silos.
    client.UseConnectionRetryFilter(async (_, cancellationToken) =>
    {
        if (TimeProvider.System.GetElapsedTime(started) > connectTimeout)
        {
            return false;
        }

        await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        return true;
    });
});
builder.Services.AddHttpForwarder();
builder.Services.AddSingleton<RouteTableCache>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<RouteTableCache>());
builder.Services.AddSingleton<RouterProxy>();

var app = builder.Build();
var proxy = app.Services.GetRequiredService<RouterProxy>();
app.Run(proxy.InvokeAsync);
try
{
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (ex is IOException or OrleansException)
{
    Console.Error.WriteLine($"router: stopped: {ex.GetBaseException().Message}");
    return 1;
}
