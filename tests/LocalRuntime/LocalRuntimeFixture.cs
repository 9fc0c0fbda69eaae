using System.Net;
using CloudController.Tests.Infrastructure;

namespace CloudController.Tests.LocalRuntime;

/// <summary>
/// A system whose silo runs apps for real (the local runtime: instances are processes on this machine, staging runs
/// buildpacks), its API on a loopback port (for the cf CLI), and a router process in front of the instances. Its
/// timings are shortened (drain, stop grace, liveness, reports) so the tests see changes within seconds.
/// </summary>
public sealed class LocalRuntimeFixture : CloudControllerFixture, IAsyncLifetime
{
    private readonly int _port = TestStorage.FreePort();
    private HostProcess? _router;

    public LocalRuntimeFixture()
        : base(Settings(InstancesDirectory), null)
    {
    }

    /// <summary>Where this fixture's instances run (removed at the end).</summary>
    public static string InstancesDirectory { get; } = Path.Combine(Path.GetTempPath(), $"cc-test-local-{Guid.NewGuid():N}");

    public string Url => $"http://127.0.0.1:{_port}";

    protected override int? RealServerPort => _port;

    /// <summary>The router's address; requests name the app in their Host header.</summary>
    public Uri RouterAddress => _router!.HttpAddress;

    public HttpClient Router { get; } = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(15) };

    private static Dictionary<string, string?> Settings(string directory) => new()
    {
        ["CloudController:Runtime:Provider"] = "local",
        ["CloudController:Runtime:Local:Directory"] = directory,
        ["CloudController:Runtime:Local:StopGrace"] = "00:00:02",
        ["CloudController:Runtime:Local:DrainDelay"] = "00:00:00.5",
        ["CloudController:Runtime:Local:LivenessPeriod"] = "00:00:01",
        ["CloudController:Runtime:Local:ReportPeriod"] = "00:00:01",
    };

    public new async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _router = HostProcess.Router("router", new Dictionary<string, string>
        {
            ["ORLEANS_GATEWAY_PORT"] = GatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Router__PollPeriod"] = "00:00:00.200",
            ["Logging__LogLevel__Default"] = "Warning",
        });
        _router.Start();
        await Eventually.HoldsAsync("the router answers", async () =>
        {
            try
            {
                using var response = await Router.GetAsync(RouterAddress);
                return response.StatusCode == HttpStatusCode.NotFound;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60));
    }

    /// <summary>GET through the router with <paramref name="hostname"/> as the Host header.</summary>
    public async Task<HttpResponseMessage> ViaRouterAsync(string hostname, string path = "/", string? cookie = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(RouterAddress, path));
        request.Headers.Host = hostname;
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        return await Router.SendAsync(request);
    }

    public new async Task DisposeAsync()
    {
        if (_router is not null)
        {
            await _router.DisposeAsync();
        }

        await base.DisposeAsync();
        Router.Dispose();
        try
        {
            Directory.Delete(InstancesDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the machine's temp cleanup.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class LocalRuntimeSuite : ICollectionFixture<LocalRuntimeFixture>
{
    public const string Name = "Local runtime";
}
