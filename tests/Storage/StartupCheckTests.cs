using CloudController.Grains.Hosting;
using CloudController.Storage;
using CloudController.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace CloudController.Tests.Storage;

/// <summary>A silo that cannot reach or use its storage says so in one line instead of starting half-broken.</summary>
public sealed class StartupCheckTests
{
    [Fact]
    public async Task TheProbePassesAgainstTheRunningAzurite()
    {
        await StorageProbe.EnsureReachableAsync(TestStorage.ConnectionString, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task StorageThatDoesNotAnswerIsReportedWithItsEndpointAndAHint()
    {
        var closed = BlobStorageConnection.AzuriteConnectionString(TestStorage.FreePort(), TestStorage.FreePort());

        var error = await Assert.ThrowsAsync<StorageUnavailableException>(() => StorageProbe.EnsureReachableAsync(closed, TimeSpan.FromSeconds(1)));

        Assert.Contains("did not answer within 1 s", error.Message, StringComparison.Ordinal);
        Assert.Contains("Is Azurite running", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AccountKey", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMalformedConnectionStringIsReportedWithoutEchoingIt()
    {
        var error = Assert.Throws<StorageUnavailableException>(() => BlobStorageConnection.CreateClient("AccountKey=secret-value;;nonsense"));

        Assert.Contains("ConnectionStrings:Blobs is not a valid", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-value", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Bad_Name")]
    [InlineData("ab")]
    [InlineData("double--hyphen")]
    public void AnInvalidContainerNameIsRejectedBeforeTheSiloStarts(string container)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["CloudController:GrainStorage:ContainerName"] = container })
            .Build();

        var error = Assert.Throws<OrleansConfigurationException>(() => CloudControllerSiloBuilderExtensions.ValidateSiloConfiguration(configuration));

        Assert.Contains(container, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CloudController:Work:MaxAttempts", "0", "MaxAttempts must be at least 1")]
    [InlineData("CloudController:Work:ResumePeriod", "00:00:00.5", "ResumePeriod at least one second")]
    [InlineData("CloudController:Runtime:StagingLogLead", "00:05:00", "StagingLogLead between 0 and 1 minute")]
    [InlineData("CloudController:Runtime:StartDelay", "-00:00:01", "StartDelay and TaskDuration must not be negative")]
    [InlineData("CloudController:Bits:ContainerPrefix", "Team_A-", "ContainerPrefix must be lower-case letters")]
    [InlineData("CloudController:Bits:ContainerPrefix", "a--", "ContainerPrefix must be lower-case letters")]
    public async Task AnOptionOutOfRangeStopsTheSiloAtStartWithWhatIsWrong(string key, string value, string says)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new Microsoft.Extensions.Hosting.HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ORLEANS_SILO_PORT"] = TestStorage.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ORLEANS_GATEWAY_PORT"] = TestStorage.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["CloudController:GrainStorage:ContainerName"] = TestStorage.UniqueContainer("options"),
            [key] = value,
        });
        builder.AddCloudControllerSilo(TestStorage.ConnectionString);
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(says, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("team-a-", true)]
    [InlineData("t0123456789ab-", true)]
    [InlineData("-a", false)]
    [InlineData("a--b", false)]
    [InlineData("UPPER", false)]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false)]
    public void ABitsContainerPrefixMakesValidContainerNames(string prefix, bool valid) =>
        Assert.Equal(valid, BitsOptions.IsValidContainerPrefix(prefix));
}
