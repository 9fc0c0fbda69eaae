using System.Net;
using System.Text.Json;
using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Bits;
using CloudController.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CloudController.Tests.Api;

[Collection(ApiTier2.Name)]
public sealed class StagingTests(CloudControllerFixture fixture)
{
    [Fact]
    public async Task StartingAnAppWithBitsStagesItPendingThenStaged()
    {
        using var http = await fixture.As("writer");
        var app = await AppWithBitsAsync(http, ("package.json", "{}"), ("server.js", "1"));
        var before = await BitsTests.EntityAsync(http, app);

        var started = await (await http.PutJsonAsync($"/v2/apps/{app}", new { state = "STARTED" })).JsonAsync(HttpStatusCode.Created);
        var staged = await WaitForStagingAsync(http, app);

        Assert.Equal("STARTED", started.GetProperty("entity").GetProperty("state").GetString());
        Assert.Equal("PENDING", started.GetProperty("entity").GetProperty("package_state").GetString());
        Assert.NotEqual(before.GetProperty("version").GetString(), started.GetProperty("entity").GetProperty("version").GetString());
        Assert.Equal("STAGED", staged.GetProperty("package_state").GetString());
        Assert.Equal("nodejs_buildpack", staged.GetProperty("detected_buildpack").GetString());
        Assert.Equal("npm start", staged.GetProperty("detected_start_command").GetString());
        Assert.Equal(JsonValueKind.Null, staged.GetProperty("staging_failed_reason").ValueKind);
        // Staged and started: the (simulated) runtime runs its instance, STARTING until its start delay passes.
        var instances = await (await http.GetAsync($"/v2/apps/{app}/instances")).JsonAsync(HttpStatusCode.OK);
        Assert.True(instances.GetProperty("0").GetProperty("state").GetString() is "STARTING" or "RUNNING", instances.ToString());
    }

    [Fact]
    public async Task AnAppNoBuildpackDetectsFailsStagingWithNoAppDetectedError()
    {
        using var http = await fixture.As("writer");
        var app = await AppWithBitsAsync(http, ("README.md", "nothing to run"));

        await (await http.PutJsonAsync($"/v2/apps/{app}", new { state = "STARTED" })).JsonAsync(HttpStatusCode.Created);
        var failed = await WaitForStagingAsync(http, app);

        Assert.Equal("FAILED", failed.GetProperty("package_state").GetString());
        Assert.Equal("NoAppDetectedError", failed.GetProperty("staging_failed_reason").GetString());
        Assert.Equal("An app was not successfully detected by any available buildpack", failed.GetProperty("staging_failed_description").GetString());
    }

    [Fact]
    public async Task AnExplicitBuildpackWinsOverDetection()
    {
        using var http = await fixture.As("writer");
        var app = await AppWithBitsAsync(http, ("package.json", "{}"), ("Procfile", "web: python serve.py\n"));

        await (await http.PutJsonAsync($"/v2/apps/{app}", new { buildpack = "python_buildpack", state = "STARTED" })).JsonAsync(HttpStatusCode.Created);
        var staged = await WaitForStagingAsync(http, app);

        Assert.Equal("python_buildpack", staged.GetProperty("detected_buildpack").GetString());
        Assert.Equal("python serve.py", staged.GetProperty("detected_start_command").GetString());
    }

    [Fact]
    public async Task RestageChangesVersionAndStagesAgain()
    {
        using var http = await fixture.As("writer");
        var app = await AppWithBitsAsync(http, ("requirements.txt", "flask"), ("app.py", "print(1)"));
        await (await http.PutJsonAsync($"/v2/apps/{app}", new { state = "STARTED" })).JsonAsync(HttpStatusCode.Created);
        var first = await WaitForStagingAsync(http, app);

        var response = await http.PostAsync($"/v2/apps/{app}/restage", null);
        var restaged = (await response.JsonAsync(HttpStatusCode.Created)).GetProperty("entity");
        var again = await WaitForStagingAsync(http, app);

        Assert.Equal($"/v2/apps/{app}", response.Headers.Location?.OriginalString);
        Assert.Equal("STARTED", restaged.GetProperty("state").GetString());
        Assert.Equal("PENDING", restaged.GetProperty("package_state").GetString());
        Assert.NotEqual(first.GetProperty("version").GetString(), restaged.GetProperty("version").GetString());
        Assert.Equal("STAGED", again.GetProperty("package_state").GetString());
        Assert.Equal("python app.py", again.GetProperty("detected_start_command").GetString());
    }

    [Fact]
    public async Task DeletingAStagedAppRemovesItsPackageAndDropletBlobs()
    {
        using var http = await fixture.As("writer");
        var app = await AppWithBitsAsync(http, ("index.html", "<p>hi</p>"));
        await (await http.PutJsonAsync($"/v2/apps/{app}", new { state = "STARTED" })).JsonAsync(HttpStatusCode.Created);
        await WaitForStagingAsync(http, app);
        await (await http.PostAsync($"/v2/apps/{app}/restage", null)).JsonAsync(HttpStatusCode.Created);
        await WaitForStagingAsync(http, app);
        // Names, not counts: other collections' systems write to the same bits containers meanwhile.
        var stored = await fixture.Silo.Services.GetRequiredService<IGrainFactory>().GetGrain<IAppGrain>(Guid.Parse(app)).GetAsync();
        var package = BitsBlobNames.Package(stored.Package!.PackageGuid);
        var droplet = BitsBlobNames.Droplet(stored.CurrentDropletGuid!.Value);
        Assert.Contains(package, await fixture.BlobNamesAsync(CloudController.Storage.BlobContainers.Packages));
        Assert.Contains(droplet, await fixture.BlobNamesAsync(CloudController.Storage.BlobContainers.Droplets));

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/v2/apps/{app}")).StatusCode);

        Assert.DoesNotContain(package, await fixture.BlobNamesAsync(CloudController.Storage.BlobContainers.Packages));
        Assert.DoesNotContain(droplet, await fixture.BlobNamesAsync(CloudController.Storage.BlobContainers.Droplets));
    }

    [Fact]
    public async Task RestagingWithoutBitsIsRefused()
    {
        using var http = await fixture.As("writer");
        var empty = await AppsTests.NewAppAsync(http, await AppsTests.NewSpaceAsync(await fixture.Admin()));

        await (await http.PostAsync($"/v2/apps/{empty}/restage", null)).V2ErrorAsync(HttpStatusCode.BadRequest, 150001, "CF-AppPackageInvalid");
        await (await http.PostAsync($"/v2/apps/{Guid.NewGuid()}/restage", null)).V2ErrorAsync(HttpStatusCode.NotFound, 100004, "CF-AppNotFound");
    }

    [Fact]
    public async Task AnAppPushedWithNoStartCanBeRestagedDirectly()
    {
        using var http = await fixture.As("writer");
        var app = await AppWithBitsAsync(http, ("index.html", "<p>"));

        var restaged = (await (await http.PostAsync($"/v2/apps/{app}/restage", null)).JsonAsync(HttpStatusCode.Created)).GetProperty("entity");
        var staged = await WaitForStagingAsync(http, app);

        Assert.Equal("STARTED", restaged.GetProperty("state").GetString());
        Assert.Equal("STAGED", staged.GetProperty("package_state").GetString());
        Assert.Equal("staticfile_buildpack", staged.GetProperty("detected_buildpack").GetString());
    }

    internal async Task<string> AppWithBitsAsync(HttpClient http, params (string Path, string Content)[] files)
    {
        var app = await AppsTests.NewAppAsync(http, await AppsTests.NewSpaceAsync(await fixture.Admin()));
        await BitsTests.Upload201Async(http, app, [], Zips.Create([.. files.Select(f => (f.Path, Zips.Text(f.Content), 0x1A4))]));
        return app;
    }

    /// <summary>Polls the app until package_state leaves PENDING (bounded).</summary>
    internal static Task<JsonElement> WaitForStagingAsync(HttpClient http, string app) =>
        Eventually.ValueAsync($"app {app} staged or failed", () => BitsTests.EntityAsync(http, app),
            entity => entity.GetProperty("package_state").GetString() != "PENDING");
}
