using System.Globalization;
using System.Net.Http.Headers;
using CloudController.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace CloudController.Tests.Cluster;

/// <summary>
/// Three real silo processes clustered through a membership table in the Azurite that <c>./test.sh</c> started, state in
/// its blobs and reminders in its tables, and the api (its real pipeline) as an Orleans client that finds the gateways in
/// the same table. Failure detection is tightened so a killed silo is declared dead in seconds.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public const int Silos = 3;

    private readonly List<HostProcess> _silos = [];
    private WebApplicationFactory<Program> _api = null!;

    public IReadOnlyList<HostProcess> SiloProcesses => _silos;

    public string GrainStateContainer { get; } = TestStorage.UniqueContainer("cluster");

    public HttpClient Probe { get; } = new() { Timeout = TimeSpan.FromSeconds(10) };

    public Azure.Storage.Blobs.BlobServiceClient Blobs { get; } = CloudController.Storage.BlobStorageConnection.CreateClient(TestStorage.ConnectionString);

    public string ReminderTable { get; } = TestStorage.UniqueTable("clusterreminders");

    public async Task InitializeAsync()
    {
        var clusterId = $"test-{Guid.NewGuid():N}";
        var environment = new Dictionary<string, string>
        {
            ["Clustering__Provider"] = "AzureStorage",
            ["ConnectionStrings__Blobs"] = TestStorage.ConnectionString,
            ["Orleans__ClusterId"] = clusterId,
            ["CloudController__GrainStorage__ContainerName"] = GrainStateContainer,
            ["CloudController__Work__ReminderTable"] = ReminderTable,
            ["CloudController__Work__ResumePeriod"] = "00:00:02",
            ["Orleans__ServiceId"] = clusterId,
            ["Orleans__Membership__ProbeTimeout"] = "00:00:01",
            ["Orleans__Membership__NumMissedProbesLimit"] = "2",
            ["Orleans__Membership__TableRefreshTimeout"] = "00:00:02",
            ["Dashboard__Enabled"] = "false",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        for (var i = 0; i < Silos; i++)
        {
            var silo = HostProcess.Silo($"silo-{i + 1}", environment);
            _silos.Add(silo);
            silo.Start();
        }

        foreach (var silo in _silos)
        {
            await silo.WaitReadyAsync(Probe, Silos, TimeSpan.FromSeconds(90));
        }

        _api = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseContentRoot(TestStorage.ApiContentRoot);
            web.UseSetting("Clustering:Provider", "AzureStorage");
            web.UseSetting("ConnectionStrings:Blobs", TestStorage.ConnectionString);
            web.UseSetting("Orleans:ClusterId", clusterId);
            web.UseSetting("Orleans:ServiceId", clusterId);
            web.UseSetting("Orleans:GatewayListRefreshPeriod", "00:00:02");
            web.UseSetting("Orleans:ResponseTimeout", "00:00:10");
            web.UseSetting("Logging:LogLevel:Default", "Warning");
            // Not a line per request (api/appsettings.json logs each one): thousands of lines cost the suite CPU it needs.
            web.UseSetting("Logging:LogLevel:CloudController.Api.Http.RequestIdMiddleware", "Warning");
            web.UseSetting("CloudController:Bits:MaxUploadSize", TestLimits.MaxUploadSize.ToString(CultureInfo.InvariantCulture));
        });
        _ = _api.Server;
    }

    public async Task<HttpClient> AdminAsync()
    {
        var http = _api.CreateClient();
        http.Timeout = TimeSpan.FromSeconds(60);
        var token = await CloudControllerFixture.PasswordGrantAsync(http, "admin", "admin");
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("bearer", token);
        return http;
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        foreach (var silo in _silos)
        {
            await silo.DisposeAsync();
        }

        Probe.Dispose();
    }
}

/// <summary>
/// The cluster tests run alone, after the others: they load the machine with silo processes of their own, and beside
/// the other tiers on 2 cores both they and the suite took longer (5.75 min for the suite against 5.15 min).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterSuite : ICollectionFixture<ClusterFixture>
{
    public const string Name = "Cluster";
}
