using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace CloudController.Tests.Infrastructure;

/// <summary>
/// The whole system in one test process: a silo (production wiring, blob storage on Azurite, its own container)
/// and the api (its real pipeline via WebApplicationFactory) connected to the silo's gateway over TCP.
/// Test users: admin, reader (read), writer (read+write), auditor (admin_read_only), globalauditor (global_auditor),
/// nobody (no CC scope), lockme (the
/// lockout test's own).
/// </summary>
public class CloudControllerFixture : IAsyncLifetime
{
    private readonly IReadOnlyDictionary<string, string?>? _siloSettings;
    private readonly Action<ISiloBuilder>? _configureSilo;
    private readonly int _siloPort = TestStorage.FreePort();
    private readonly int _gatewayPort = TestStorage.FreePort();
    private readonly Dictionary<string, string> _tokens = [];
    private WebApplicationFactory<Program> _api = null!;

    public CloudControllerFixture()
    {
    }

    /// <summary>A system whose silo has extra <paramref name="siloSettings"/> and services replaced by <paramref name="configureSilo"/>.</summary>
    protected CloudControllerFixture(IReadOnlyDictionary<string, string?> siloSettings, Action<ISiloBuilder>? configureSilo)
    {
        _siloSettings = siloSettings;
        _configureSilo = configureSilo;
    }

    public string GrainStateContainer { get; } = TestStorage.UniqueContainer("state");

    /// <summary>
    /// This system's bits containers are named with this prefix (<c>CloudController:Bits:ContainerPrefix</c>), so that a
    /// test comparing a whole container (no upload left behind) sees no other system's bits.
    /// </summary>
    public string BitsContainerPrefix { get; } = $"t{Guid.NewGuid():N}"[..13] + "-";

    /// <summary>The silo's gateway: where another API instance of this system connects.</summary>
    public int GatewayPort => _gatewayPort;

    /// <summary>The api's token signing key (<c>Uaa:SigningKey</c>), so tests can sign tokens the api trusts.</summary>
    public System.Security.Cryptography.RSA TokenKey { get; } = System.Security.Cryptography.RSA.Create(2048);

    /// <summary>This system's reminder table: one row per grain with unfinished work.</summary>
    public string ReminderTable { get; } = TestStorage.UniqueTable("reminders");

    /// <summary>This system's audit event table (<c>CloudController:Events:Table</c>, set by <see cref="SiloHost"/>).</summary>
    public string EventTable => "ev" + ReminderTable;

    public SiloHost Silo { get; private set; } = null!;

    /// <summary>Faults tests may inject into the silo's storage requests (none unless a test adds a rule).</summary>
    public StorageFaults Faults { get; } = new();

    public WebApplicationFactory<Program> Api => _api;

    public Azure.Storage.Blobs.BlobServiceClient Blobs { get; } = CloudController.Storage.BlobStorageConnection.CreateClient(TestStorage.ConnectionString);

    /// <summary>
    /// The names of the blobs in one container of the test system's storage: <see cref="GrainStateContainer"/>, or a kind
    /// of bits (one of <c>BlobContainers</c>, named here with this system's <see cref="BitsContainerPrefix"/>).
    /// </summary>
    public async Task<List<string>> BlobNamesAsync(string container)
    {
        var names = new List<string>();
        try
        {
            var client = container == GrainStateContainer ? Blobs.GetBlobContainerClient(container) : BitsContainer(container);
            await foreach (var blob in client.GetBlobsAsync())
            {
                names.Add(blob.Name);
            }
        }
        catch (Azure.RequestFailedException e) when (e.ErrorCode == "ContainerNotFound")
        {
            // The system creates its bits containers on first use: none yet, no blobs.
        }

        return names;
    }

    /// <summary>This system's container of one kind of bits (<paramref name="name"/> is one of <c>BlobContainers</c>).</summary>
    public Azure.Storage.Blobs.BlobContainerClient BitsContainer(string name) => Blobs.GetBlobContainerClient(BitsContainerPrefix + name);

    public async Task InitializeAsync()
    {
        Silo = new SiloHost(_siloPort, _gatewayPort, GrainStateContainer, ReminderTable, SiloSettings(), _configureSilo, Faults);
        await Silo.StartAsync();
        _api = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseContentRoot(TestStorage.ApiContentRoot);
            web.UseSetting("ORLEANS_GATEWAY_PORT", _gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
            web.UseSetting("Logging:LogLevel:Default", "Warning");
            // Not a line per request (api/appsettings.json logs each one): thousands of lines cost the suite CPU it needs.
            web.UseSetting("Logging:LogLevel:CloudController.Api.Http.RequestIdMiddleware", "Warning");
            web.UseSetting("CloudController:Bits:MaxUploadSize", TestLimits.MaxUploadSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
            web.UseSetting("CloudController:Bits:MaxPackageSize", TestLimits.MaxPackageSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
            web.UseSetting("CloudController:Bits:ContainerPrefix", BitsContainerPrefix);
            AddUser(web, "reader", "cloud_controller.read");
            AddUser(web, "writer", "cloud_controller.read", "cloud_controller.write");
            AddUser(web, "auditor", "cloud_controller.admin_read_only");
            AddUser(web, "globalauditor", "cloud_controller.global_auditor");
            AddUser(web, "nobody", "openid");
            AddUser(web, "lockme", "cloud_controller.read");
            web.UseSetting("Uaa:SigningKey", TokenKey.ExportRSAPrivateKeyPem());
            web.UseSetting("Uaa:Clients:pipeline:Secret", "pipeline-secret");
            web.UseSetting("Uaa:Clients:pipeline:GrantTypes:0", "client_credentials");
            web.UseSetting("Uaa:Clients:pipeline:Authorities:0", "cloud_controller.read");
            if (RealServerPort is { } listen)
            {
                web.UseSetting("CC_API_PORT", listen.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        });
        if (RealServerPort is not null)
        {
            // A real Kestrel listener on 127.0.0.1:CC_API_PORT, for clients outside this process (the cf CLI).
            _api.UseKestrel();
            _api.StartServer();
        }
        else
        {
            _ = _api.Server;
        }
    }

    private Dictionary<string, string?> SiloSettings() =>
        new(_siloSettings ?? new Dictionary<string, string?>()) { ["CloudController:Bits:ContainerPrefix"] = BitsContainerPrefix };

    /// <summary>When set, the API listens on this loopback port instead of serving in memory.</summary>
    protected virtual int? RealServerPort => null;

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await Silo.StopAsync();
    }

    /// <summary>Stops the silo and starts a fresh one on the same ports and storage: every activation is gone.</summary>
    public async Task RestartSiloAsync()
    {
        await Silo.StopAsync();
        await StartNewSiloAsync();
    }

    /// <summary>Starts a fresh silo after <c>Silo.StopAsync()</c>, on the same ports and storage.</summary>
    public async Task StartNewSiloAsync()
    {
        Silo = new SiloHost(_siloPort, _gatewayPort, GrainStateContainer, ReminderTable, SiloSettings(), _configureSilo, Faults);
        await Silo.StartAsync();
    }

    /// <summary>The grains holding a resume reminder, i.e. with work unfinished (the reminder table's row keys).</summary>
    public async Task<List<string>> UnfinishedWorkAsync()
    {
        var rows = new List<string>();
        var table = CloudController.Hosting.TableStorageConnection.CreateClient(TestStorage.ConnectionString).GetTableClient(ReminderTable);
        try
        {
            await foreach (var row in table.QueryAsync<Azure.Data.Tables.TableEntity>(select: ["RowKey"]))
            {
                // The runtime convergence reminder is permanent: it is not unfinished work.
                if (!row.RowKey.StartsWith("runtime-convergence", StringComparison.Ordinal))
                {
                    rows.Add(row.RowKey);
                }
            }
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            // No reminder was ever registered.
        }

        return rows;
    }

    public HttpClient Anonymous() => _api.CreateClient();

    /// <summary>A client carrying a bearer token of the given test user (password "&lt;user&gt;-pw", admin's is "admin").</summary>
    public async Task<HttpClient> As(string user)
    {
        var http = _api.CreateClient();
        if (!_tokens.TryGetValue(user, out var token))
        {
            token = await PasswordGrantAsync(http, user, user == "admin" ? "admin" : $"{user}-pw");
            _tokens[user] = token;
        }

        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("bearer", token);
        return http;
    }

    public Task<HttpClient> Admin() => As("admin");

    /// <summary>The password grant exactly as the cf CLI sends it: client cf with an empty secret in basic auth, a form body.</summary>
    public static async Task<string> PasswordGrantAsync(HttpClient http, string user, string password)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "password",
                ["username"] = user,
                ["password"] = password,
            }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", "Y2Y6");
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("access_token").GetString()!;
    }

    private static void AddUser(IWebHostBuilder web, string user, params string[] scopes)
    {
        web.UseSetting($"Uaa:Users:{user}:Password", $"{user}-pw");
        for (var i = 0; i < scopes.Length; i++)
        {
            web.UseSetting($"Uaa:Users:{user}:Scopes:{i}", scopes[i]);
        }
    }
}

// The API tier runs as parallel collections, each on a system of its own (its own silo, API, grain-state container,
// reminder and event tables), balanced by their measured time. A class joins the tier with the least time.

/// <summary>API tier 1: bits, v3 apps, packages, pagination.</summary>
[CollectionDefinition(Name)]
public sealed class ApiTier1 : ICollectionFixture<CloudControllerFixture>
{
    public const string Name = "API 1";
}

/// <summary>API tier 2: the runtime, routing, hostile tenants, staging, first requests.</summary>
[CollectionDefinition(Name)]
public sealed class ApiTier2 : ICollectionFixture<CloudControllerFixture>
{
    public const string Name = "API 2";
}

/// <summary>API tier 3: access, droplets, processes, the v3 platform, organizations and spaces, hostile input, scoped indexes, metrics.</summary>
[CollectionDefinition(Name)]
public sealed class ApiTier3 : ICollectionFixture<CloudControllerFixture>
{
    public const string Name = "API 3";
}

/// <summary>API tier 4: v3 push, v2 apps, the load-test scenarios and the quick rest.</summary>
[CollectionDefinition(Name)]
public sealed class ApiTier4 : ICollectionFixture<CloudControllerFixture>
{
    public const string Name = "API 4";
}

/// <summary>Tests that stop and start their system's silo: a system of their own, so no other test sees it go.</summary>
[CollectionDefinition(Name)]
public sealed class RestartTier : ICollectionFixture<CloudControllerFixture>
{
    public const string Name = "API restarts";
}
