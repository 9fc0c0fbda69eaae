using CloudController.Grains.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace CloudController.Tests.Grains;

/// <summary>
/// The grain tier: one silo of Orleans' in-process test cluster with the production wiring (grain state in blobs,
/// reminders and events in tables, on the Azurite that <c>./test.sh</c> starts; containers and tables of its own), called
/// through the cluster's client without HTTP. Grains read time from <see cref="Clock"/>, which only the tests move;
/// Orleans' own background work (membership, messaging, reminders) keeps real time.
/// </summary>
public sealed class GrainTierFixture : IAsyncLifetime
{
    /// <summary>How long staging's last log lines lead its end in this tier (see <c>RuntimeOptions.StagingLogLead</c>).</summary>
    public static readonly TimeSpan StagingLogLead = TimeSpan.FromSeconds(2.5);

    private InProcessTestCluster? _cluster;

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>Faults a test may inject into the silo's storage requests (none unless a test adds a rule).</summary>
    public Infrastructure.StorageFaults Faults { get; } = new();

    public IClusterClient Grains => _cluster?.Client ?? throw new InvalidOperationException("The grain tier's cluster is not deployed.");

    public Azure.Storage.Blobs.BlobServiceClient Blobs { get; } = CloudController.Storage.BlobStorageConnection.CreateClient(Infrastructure.TestStorage.ConnectionString);

    public async Task InitializeAsync()
    {
        var reminders = Infrastructure.TestStorage.UniqueTable("grainreminders");
        var settings = new Dictionary<string, string?>
        {
            ["CloudController:GrainStorage:ContainerName"] = Infrastructure.TestStorage.UniqueContainer("grain-tier"),
            ["CloudController:Work:ReminderTable"] = reminders,
            ["CloudController:Events:Table"] = "ev" + reminders,
            ["CloudController:Runtime:StagingLogLead"] = StagingLogLead.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        var builder = new InProcessTestClusterBuilder();
        builder.ConfigureSiloHost((_, host) =>
        {
            host.Configuration.AddInMemoryCollection(settings);
            host.AddCloudControllerSilo(Infrastructure.TestStorage.ConnectionString, silo =>
            {
                silo.Services.AddSingleton<TimeProvider>(Clock);
                silo.Services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
            }, Faults, clustering: false);
        });
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class GrainTier : ICollectionFixture<GrainTierFixture>
{
    public const string Name = "Grains";
}
