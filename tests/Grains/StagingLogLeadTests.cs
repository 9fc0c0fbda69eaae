using CloudController.GrainInterfaces.Bits;
using CloudController.GrainInterfaces.Droplets;
using CloudController.GrainInterfaces.Logs;
using CloudController.Tests.Infrastructure;

namespace CloudController.Tests.Grains;

/// <summary>
/// A staging's outcome lines reach the app's log before the droplet leaves STAGING, by the configured lead, so that the
/// cf CLI (which shows only lines older than 2 s and stops reading at the staging's end) shows them.
/// </summary>
[Collection(GrainTier.Name)]
public sealed class StagingLogLeadTests(GrainTierFixture fixture)
{
    [Fact]
    public async Task TheOutcomeIsLoggedAndTheDropletStaysStagingUntilTheLeadHasPassed()
    {
        var (app, package) = (Guid.NewGuid(), Guid.NewGuid());
        var zip = Zips.Create(("index.html", Zips.Text("<p>lead</p>"), 420));
        var packages = fixture.Blobs.GetBlobContainerClient(CloudController.Storage.BlobContainers.Packages);
        await packages.CreateIfNotExistsAsync();
        await packages.UploadBlobAsync(BitsBlobNames.Package(package), new BinaryData(zip));
        var droplet = fixture.Grains.GetGrain<IDropletGrain>(Guid.NewGuid());
        var log = fixture.Grains.GetGrain<IAppLogGrain>(app);

        await droplet.StageAsync(new StagingRequest(app, new PackageInfo(package, Zips.Sha1(zip), zip.Length), null, Guid.Empty, SetsCurrentDroplet: false));
        await Eventually.HoldsAsync("the staging's outcome in the app's log", async () =>
            (await log.ReadAsync(DateTimeOffset.MinValue, DateTimeOffset.MaxValue, 100, descending: false)).Any(l => l.Message == "Staging complete"));

        // The grains' clock has not moved: the lead has not passed, so the droplet is still staging.
        Assert.Equal(DropletState.Staging, (await droplet.FindAsync())!.State);
        fixture.Clock.Advance(GrainTierFixture.StagingLogLead);
        var ended = await Eventually.ValueAsync("the droplet's staging ends once the lead has passed", droplet.FindAsync, d => d!.State != DropletState.Staging);
        // Staged; then expired at once, as no app of that guid keeps it.
        Assert.Contains(ended!.State, new[] { DropletState.Staged, DropletState.Expired });
        Assert.Equal("staticfile_buildpack", ended.Buildpack);
    }
}
