using System.Diagnostics;
using System.Net;
using System.Text.Json;
using CloudController.Storage;
using CloudController.Tests.Api;
using CloudController.Tests.Infrastructure;

namespace CloudController.Tests.Work;

/// <summary>
/// Long work runs outside the grain's turns and is bounded: a grain answers while its build runs, a deletion during
/// work stays a deletion, and work that keeps timing out ends failed after its attempts, changing nothing it would have.
/// </summary>
[Collection(HeldWorkSuite.Name)]
public sealed class HeldWorkTests(HeldWorkFixture fixture)
{
    [Fact]
    public async Task ABuildThatAlwaysTimesOutFailsAfterItsAttemptsAndTheAppKeepsItsPackage()
    {
        using var http = await fixture.As("writer");
        var app = await AppsTests.NewAppAsync(http, await AppsTests.NewSpaceAsync(await fixture.Admin()));
        await BitsTests.Upload201Async(http, app, [], Zips.Create(("index.html", Zips.Text("first"), 0x1A4)));
        var before = await BitsTests.DownloadAsync(http, app);

        fixture.Gates.Builds.Close();
        JsonElement job;
        try
        {
            var url = (await (await http.PutAsync($"/v2/apps/{app}/bits?async=true", Zips.Bits([], Zips.Create(("index.html", Zips.Text("second"), 0x1A4)))))
                .JsonAsync(HttpStatusCode.Created)).GetProperty("metadata").GetProperty("url").GetString()!;
            // Three attempts of the fixture's work timeout (5 s) each, and the pauses between them.
            job = await BitsTests.PollAsync(http, url, expect: "failed", bound: TimeSpan.FromSeconds(90));
        }
        finally
        {
            fixture.Gates.Builds.Open();
        }

        var error = job.GetProperty("entity").GetProperty("error_details");
        Assert.Equal("UnknownError", error.GetProperty("error_code").GetString());
        Assert.Contains("failed 3 times", error.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Contains("timed out", error.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await BitsTests.DownloadAsync(http, app));
        await WaitUntilAsync(async () => (await fixture.UnfinishedWorkAsync()).Count == 0, "the job's reminder to go");
    }

    [Fact]
    public async Task APackageAnswersReadsAndDeletesAtOnceWhileItsBuildRunsAndStaysDeleted()
    {
        using var http = await fixture.As("writer");
        var app = await AppsTests.NewAppAsync(http, await AppsTests.NewSpaceAsync(await fixture.Admin()));
        var package = await PackagesTests.NewBitsPackageAsync(http, app);
        var built = fixture.Gates.Builds.Released;

        fixture.Gates.Builds.Close();
        try
        {
            await (await http.PostAsync($"/v3/packages/{package}/upload", PackagesTests.Bits(Zips.Create(("a.txt", Zips.Text("a"), 0x1A4)))))
                .JsonAsync(HttpStatusCode.OK);

            // Both answer while the build is still held at the gate: no attempt has ended (none timed out) yet.
            var read = await (await http.GetAsync($"/v3/packages/{package}")).JsonAsync(HttpStatusCode.OK);
            Assert.Equal("PROCESSING_UPLOAD", read.GetProperty("state").GetString());
            Assert.Equal(built, fixture.Gates.Builds.Released);

            Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/v3/packages/{package}")).StatusCode);
            Assert.Equal(built, fixture.Gates.Builds.Released);
        }
        finally
        {
            fixture.Gates.Builds.Open();
        }

        // The build finishes after the deletion: its blob is removed and nothing comes back.
        await WaitUntilAsync(() => Task.FromResult(fixture.Gates.Builds.Released > built), "the held build to finish");
        await WaitUntilAsync(async () => !(await fixture.BlobNamesAsync(BlobContainers.Packages)).Contains(package), "the late package blob to go");
        await (await http.GetAsync($"/v3/packages/{package}")).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ResourceNotFound");
        var listed = await (await http.GetAsync($"/v3/apps/{app}/packages")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(0, listed.GetProperty("pagination").GetProperty("total_results").GetInt32());
    }

    [Fact]
    public async Task DeletingAnAppWhileItStagesLeavesNoDropletBehind()
    {
        using var http = await fixture.As("writer");
        var app = await AppsTests.NewAppAsync(http, await AppsTests.NewSpaceAsync(await fixture.Admin()));
        await BitsTests.Upload201Async(http, app, [], Zips.Create(("package.json", Zips.Text("{}"), 0x1A4)));
        var staged = fixture.Gates.Staging.Released;

        fixture.Gates.Staging.Close();
        string droplet;
        try
        {
            await (await http.PutJsonAsync($"/v2/apps/{app}", new { state = "STARTED" })).JsonAsync(HttpStatusCode.Created);
            var droplets = await (await http.GetAsync($"/v3/apps/{app}/droplets")).JsonAsync(HttpStatusCode.OK);
            var staging = droplets.GetProperty("resources")[0];
            Assert.Equal("STAGING", staging.GetProperty("state").GetString());
            droplet = staging.GetProperty("guid").GetString()!;

            var clock = Stopwatch.StartNew();
            Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/v2/apps/{app}")).StatusCode);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"DELETE took {clock.Elapsed}");
        }
        finally
        {
            fixture.Gates.Staging.Open();
        }

        await WaitUntilAsync(() => Task.FromResult(fixture.Gates.Staging.Released > staged), "the held staging to finish");
        await WaitUntilAsync(async () => !(await fixture.BlobNamesAsync(BlobContainers.Droplets)).Contains(droplet), "the late droplet blob to go");
        // Once the droplet's work has ended (its resume reminder is gone) nothing can write its blob again.
        await WaitUntilAsync(async () => !(await fixture.UnfinishedWorkAsync()).Any(row => row.Contains(droplet.Replace("-", "", StringComparison.Ordinal), StringComparison.Ordinal)),
            "the droplet's work to end");
        Assert.DoesNotContain(droplet, await fixture.BlobNamesAsync(BlobContainers.Droplets));
        await (await http.GetAsync($"/v3/droplets/{droplet}")).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ResourceNotFound");
        var all = await (await fixture.Admin()).GetAsync("/v3/droplets?per_page=5000");
        Assert.DoesNotContain(droplet, (await all.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.DoesNotContain((await fixture.BlobNamesAsync(fixture.GrainStateContainer)), name => name.Contains(droplet.Replace("-", "", StringComparison.Ordinal), StringComparison.Ordinal));
    }

    /// <summary>
    /// New bits uploaded while a staging runs: that staging's outcome is stale (it is of the old bits), and the app,
    /// started, stages the new bits; it ends STAGED with the new bits' droplet, and the old one expires.
    /// </summary>
    [Fact]
    public async Task NewBitsUploadedWhileAStagingRunsEndWithTheNewBitsDroplet()
    {
        using var http = await fixture.As("writer");
        var app = await AppsTests.NewAppAsync(http, await AppsTests.NewSpaceAsync(await fixture.Admin()));
        await BitsTests.Upload201Async(http, app, [], Zips.Create(("package.json", Zips.Text("{}"), 0x1A4)));
        var staged = fixture.Gates.Staging.Released;

        fixture.Gates.Staging.Close();
        string oldDroplet;
        try
        {
            await (await http.PutJsonAsync($"/v2/apps/{app}", new { state = "STARTED" })).JsonAsync(HttpStatusCode.Created);
            oldDroplet = (await (await http.GetAsync($"/v3/apps/{app}/droplets")).JsonAsync(HttpStatusCode.OK)).GetProperty("resources")[0].GetProperty("guid").GetString()!;
            await BitsTests.Upload201Async(http, app, [], Zips.Create(("Gemfile", Zips.Text("source 'x'"), 0x1A4)));
        }
        finally
        {
            fixture.Gates.Staging.Open();
        }

        await Eventually.HoldsAsync("both stagings to finish", () => Task.FromResult(fixture.Gates.Staging.Released >= staged + 2));
        var entity = await StagingTests.WaitForStagingAsync(http, app);
        Assert.Equal("STAGED", entity.GetProperty("package_state").GetString());
        Assert.Equal("ruby_buildpack", entity.GetProperty("detected_buildpack").GetString());
        var current = await (await http.GetAsync($"/v3/apps/{app}/droplets/current")).JsonAsync(HttpStatusCode.OK);
        Assert.NotEqual(oldDroplet, current.GetProperty("guid").GetString());
        Assert.Equal("ruby_buildpack", current.GetProperty("buildpacks")[0].GetProperty("name").GetString());
        // The old staging's outcome is stale: its droplet expires. This system's work times out after 5 s, so on a
        // loaded machine (the whole suite on two cores, with GC pauses over a second) the old staging's attempts may all
        // time out instead, and its droplet ends FAILED: never STAGED, which is what must not happen.
        await Eventually.ValueAsync("the stale droplet to expire (or to have failed)",
            async () => (await (await http.GetAsync($"/v3/droplets/{oldDroplet}")).JsonAsync(HttpStatusCode.OK)).GetProperty("state").GetString(),
            state => state is "EXPIRED" or "FAILED");
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        await Eventually.HoldsAsync(what, condition, TimeSpan.FromSeconds(10));
    }
}
