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
}
