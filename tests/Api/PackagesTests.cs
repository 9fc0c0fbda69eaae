using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CloudController.Storage;
using CloudController.Tests.Infrastructure;

namespace CloudController.Tests.Api;

[Collection(ApiTier1.Name)]
public sealed class PackagesTests(CloudControllerFixture fixture)
{
    [Fact]
    public async Task ABitsPackageAnswersTheSeedEraShape()
    {
        using var http = await fixture.As("writer");
        var app = await NewAppAsync(http);

        var response = await http.PostJsonAsync($"/v3/apps/{app}/packages", new { type = "bits" });

        var package = await response.JsonAsync(HttpStatusCode.Created);
        var guid = package.GetProperty("guid").GetString();
        Assert.Equal(["guid", "type", "hash", "url", "state", "error", "created_at", "updated_at", "_links"], package.EnumerateObject().Select(p => p.Name));
        Assert.Equal("bits", package.GetProperty("type").GetString());
        Assert.Equal("sha1", package.GetProperty("hash").GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Null, package.GetProperty("hash").GetProperty("value").ValueKind);
        Assert.Equal(JsonValueKind.Null, package.GetProperty("url").ValueKind);
        Assert.Equal("AWAITING_UPLOAD", package.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, package.GetProperty("error").ValueKind);
        HttpAssertions.IsCfTimestamp(package.GetProperty("created_at"));
        var links = package.GetProperty("_links");
        Assert.Equal(["self", "upload", "download", "stage", "app"], links.EnumerateObject().Select(p => p.Name));
        Assert.Equal($"/v3/packages/{guid}/upload", links.GetProperty("upload").GetProperty("href").GetString());
        Assert.Equal("POST", links.GetProperty("upload").GetProperty("method").GetString());
        Assert.Equal($"/v3/packages/{guid}/droplets", links.GetProperty("stage").GetProperty("href").GetString());
        Assert.Equal($"/v3/apps/{app}", links.GetProperty("app").GetProperty("href").GetString());
        Assert.Equal($"/v3/packages/{guid}", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task ADockerPackageIsReadyAtOnce()
    {
        using var http = await fixture.As("writer");
        var app = await NewAppAsync(http);

        var package = await (await http.PostJsonAsync($"/v3/apps/{app}/packages", new { type = "docker", url = "docker://cloudfoundry/runtime-ci" })).JsonAsync(HttpStatusCode.Created);

        Assert.Equal("READY", package.GetProperty("state").GetString());
        Assert.Equal("docker://cloudfoundry/runtime-ci", package.GetProperty("url").GetString());
        Assert.Equal(["self", "app"], package.GetProperty("_links").EnumerateObject().Select(p => p.Name));
        await (await http.GetAsync($"/v3/packages/{package.GetProperty("guid").GetString()}/download")).V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
    }

    [Theory]
    [InlineData("{}", 422)]
    [InlineData("{\"type\":\"tarball\"}", 422)]
    [InlineData("{\"type\":\"docker\"}", 422)]
    [InlineData("{\"type\":\"bits\",\"url\":\"docker://x\"}", 422)]
    [InlineData("{\"type\":\"bits\",\"colour\":\"red\"}", 422)]
    [InlineData("{\"type\":", 400)]
    public async Task InvalidPackageBodiesAreV3Errors(string body, int status)
    {
        using var http = await fixture.As("writer");
        var app = await NewAppAsync(http);

        var response = await http.PostAsync($"/v3/apps/{app}/packages", HttpAssertions.Raw(body));

        await response.V3ErrorAsync((HttpStatusCode)status, status == 400 ? 1001 : 10008, status == 400 ? "CF-MessageParseError" : "CF-UnprocessableEntity");
        var listed = await (await http.GetAsync($"/v3/apps/{app}/packages")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(0, listed.GetProperty("pagination").GetProperty("total_results").GetInt32());
    }

    [Fact]
    public async Task PackagesOfUnknownAppsAndUnknownPackagesAreNotFound()
    {
        using var http = await fixture.As("writer");

        var app = await (await http.PostJsonAsync($"/v3/apps/{Guid.NewGuid()}/packages", new { type = "bits" })).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ResourceNotFound");
        var package = await (await http.GetAsync($"/v3/packages/{Guid.NewGuid()}")).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ResourceNotFound");

        Assert.Equal("App not found", app.GetProperty("detail").GetString());
        Assert.Equal("Package not found", package.GetProperty("detail").GetString());
        await (await http.GetAsync("/v3/packages/not-a-guid")).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ResourceNotFound");
    }

    [Fact]
    public async Task UploadProcessesToReadyWithTheSha1OfTheStoredZip()
    {
        using var http = await fixture.As("writer");
        var package = await NewBitsPackageAsync(http, await NewAppAsync(http));

        var processing = await (await http.PostAsync($"/v3/packages/{package}/upload", Bits(Zips.Create(("index.js", Zips.Text("1"), 0x1A4))))).JsonAsync(HttpStatusCode.OK);
        var ready = await WaitAsync(http, package);
        var download = await http.GetAsync($"/v3/packages/{package}/download");
        var zip = await download.Content.ReadAsByteArrayAsync();

        // The answer waits (bounded) for the packaging, as CC may: a small zip is READY by then.
        Assert.True(processing.GetProperty("state").GetString() is "PROCESSING_UPLOAD" or "READY", processing.ToString());
        Assert.Equal("READY", ready.GetProperty("state").GetString());
        Assert.Equal(Zips.Sha1(zip), ready.GetProperty("hash").GetProperty("value").GetString());
        Assert.Equal(["index.js"], Zips.Read(zip).Keys);
        await (await http.PostAsync($"/v3/packages/{package}/upload", Bits(Zips.Create(("x", Zips.Text("x"), 0x1A4)))))
            .V3ErrorAsync(HttpStatusCode.BadRequest, 150004, "CF-PackageBitsAlreadyUploaded");
    }

    [Fact]
    public async Task AnInvalidZipFailsThePackageAndLeavesTheAppUntouched()
    {
        using var http = await fixture.As("writer");
        var app = await NewAppAsync(http);
        var before = await (await http.GetAsync($"/v2/apps/{app}")).Content.ReadAsStringAsync();
        var package = await NewBitsPackageAsync(http, app);

        await (await http.PostAsync($"/v3/packages/{package}/upload", Bits(Zips.Text("not a zip")))).JsonAsync(HttpStatusCode.OK);
        var failed = await WaitAsync(http, package);

        Assert.Equal("FAILED", failed.GetProperty("state").GetString());
        Assert.Contains("not a valid zip", failed.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await (await http.GetAsync($"/v2/apps/{app}")).Content.ReadAsStringAsync());
        await (await http.GetAsync($"/v3/packages/{package}/download")).V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
    }

    [Fact]
    public async Task UploadWithoutAFileOrToADockerPackageIsUnprocessable()
    {
        using var http = await fixture.As("writer");
        var app = await NewAppAsync(http);
        var bits = await NewBitsPackageAsync(http, app);
        var docker = (await (await http.PostJsonAsync($"/v3/apps/{app}/packages", new { type = "docker", url = "docker://x/y" })).JsonAsync(HttpStatusCode.Created)).GetProperty("guid").GetString();
        var empty = new MultipartFormDataContent { { new StringContent("[]"), "resources" } };

        await (await http.PostAsync($"/v3/packages/{bits}/upload", empty)).V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        await (await http.PostAsync($"/v3/packages/{docker}/upload", Bits(Zips.Create(("a", Zips.Text("a"), 0x1A4))))).V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
    }

    [Fact]
    public async Task APackageCopiesToAnotherApp()
    {
        using var http = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(await fixture.Admin());
        var source = await AppsTests.NewAppAsync(http, space);
        var destination = await AppsTests.NewAppAsync(http, space);
        var original = await NewBitsPackageAsync(http, source);
        await (await http.PostAsync($"/v3/packages/{original}/upload", Bits(Zips.Create(("main.go", Zips.Text("package main"), 0x1A4))))).JsonAsync(HttpStatusCode.OK);
        var ready = await WaitAsync(http, original);

        var copy = await (await http.PostAsync($"/v3/apps/{destination}/packages?source_package_guid={original}", null)).JsonAsync(HttpStatusCode.Created);
        var copied = await WaitAsync(http, copy.GetProperty("guid").GetString()!);

        Assert.True(copy.GetProperty("state").GetString() is "COPYING" or "READY");
        Assert.Equal("READY", copied.GetProperty("state").GetString());
        Assert.Equal(ready.GetProperty("hash").GetProperty("value").GetString(), copied.GetProperty("hash").GetProperty("value").GetString());
        Assert.Equal($"/v3/apps/{destination}", copied.GetProperty("_links").GetProperty("app").GetProperty("href").GetString());
        await (await http.PostAsync($"/v3/apps/{source}/packages?source_package_guid={original}", null)).V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        await (await http.PostAsync($"/v3/apps/{destination}/packages?source_package_guid={Guid.NewGuid()}", null)).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ResourceNotFound");
    }

    [Fact]
    public async Task PackagesAreListedPerAppAndFilteredAndTheCurrentCreateRouteWorks()
    {
        using var http = await fixture.As("writer");
        var app = await NewAppAsync(http);
        await NewBitsPackageAsync(http, app);
        var viaCurrentRoute = await (await http.PostJsonAsync("/v3/packages", new { type = "docker", url = "docker://a/b", relationships = new { app = new { guid = app } } })).JsonAsync(HttpStatusCode.Created);

        var forApp = await (await http.GetAsync($"/v3/apps/{app}/packages")).JsonAsync(HttpStatusCode.OK);
        var ready = await (await http.GetAsync($"/v3/packages?app_guids={app}&states=READY")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(2, forApp.GetProperty("pagination").GetProperty("total_results").GetInt32());
        Assert.Equal(1, ready.GetProperty("pagination").GetProperty("total_results").GetInt32());
        Assert.Equal(viaCurrentRoute.GetProperty("guid").GetString(), ready.GetProperty("resources")[0].GetProperty("guid").GetString());
    }

    [Fact]
    public async Task OlderReadyPackagesBeyondFiveExpire()
    {
        using var http = await fixture.As("writer");
        var app = await NewAppAsync(http);
        var packages = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var package = await NewBitsPackageAsync(http, app);
            await (await http.PostAsync($"/v3/packages/{package}/upload", Bits(Zips.Create(("n.txt", Zips.Text($"{i}"), 0x1A4))))).JsonAsync(HttpStatusCode.OK);
            await WaitAsync(http, package);
            packages.Add(package);
        }

        // Expiry follows the sixth package's READY outside its turn: give it a moment.
        var oldest = await Eventually.ValueAsync("the oldest package expired", async () => await (await http.GetAsync($"/v3/packages/{packages[0]}")).JsonAsync(HttpStatusCode.OK),
            json => json.GetProperty("state").GetString() == "EXPIRED", TimeSpan.FromSeconds(5));

        var newest = await (await http.GetAsync($"/v3/packages/{packages[5]}")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal("EXPIRED", oldest.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, oldest.GetProperty("hash").GetProperty("value").ValueKind);
        Assert.Equal("READY", newest.GetProperty("state").GetString());
    }

    [Fact]
    public async Task APackageCreatedFirstAndUploadedLastExpiresItselfAndKeepsAnswering()
    {
        using var http = await fixture.As("writer");
        var app = await NewAppAsync(http);
        var first = await NewBitsPackageAsync(http, app);
        for (var i = 0; i < 5; i++)
        {
            var package = await NewBitsPackageAsync(http, app);
            await (await http.PostAsync($"/v3/packages/{package}/upload", Bits(Zips.Create(("n.txt", Zips.Text($"{i}"), 0x1A4))))).JsonAsync(HttpStatusCode.OK);
            await WaitAsync(http, package);
        }

        // The oldest package becomes READY last: it is the one beyond the newest five, so it expires itself.
        await (await http.PostAsync($"/v3/packages/{first}/upload", Bits(Zips.Create(("n.txt", Zips.Text("first"), 0x1A4))))).JsonAsync(HttpStatusCode.OK);
        await WaitAsync(http, first);
        // Reads answer while the expiry runs (a GET that waited for it would hold the poll past its bound).
        await Eventually.ValueAsync("the first package expired", async () =>
                (await (await http.GetAsync($"/v3/packages/{first}")).JsonAsync(HttpStatusCode.OK)).GetProperty("state").GetString(),
            state => state == "EXPIRED", TimeSpan.FromSeconds(5));
        // The blob goes once the EXPIRED state is stored.
        await Eventually.HoldsAsync("the expired package's blob deleted", async () => !(await fixture.BlobNamesAsync(BlobContainers.Packages)).Contains(first),
            TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task DeletingPackagesAndAppsRemovesTheirBlobs()
    {
        using var http = await fixture.As("writer");
        var app = await NewAppAsync(http);
        var kept = await NewBitsPackageAsync(http, app);
        var deleted = await NewBitsPackageAsync(http, app);
        foreach (var package in new[] { kept, deleted })
        {
            await (await http.PostAsync($"/v3/packages/{package}/upload", Bits(Zips.Create(("a", Zips.Text(package), 0x1A4))))).JsonAsync(HttpStatusCode.OK);
            await WaitAsync(http, package);
        }

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/v3/packages/{deleted}")).StatusCode);
        await (await http.GetAsync($"/v3/packages/{deleted}")).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ResourceNotFound");
        Assert.DoesNotContain(deleted, await fixture.BlobNamesAsync(BlobContainers.Packages));
        Assert.Contains(kept, await fixture.BlobNamesAsync(BlobContainers.Packages));
        var delete = await http.DeleteAsync($"/v3/apps/{app}");
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        await V3PlatformTests.PollJobAsync(http, delete.Headers.Location!);

        Assert.DoesNotContain(kept, await fixture.BlobNamesAsync(BlobContainers.Packages));
        await (await http.GetAsync($"/v3/packages/{kept}")).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ResourceNotFound");
    }

    internal static MultipartFormDataContent Bits(byte[] zip)
    {
        var content = new ByteArrayContent(zip);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        return new MultipartFormDataContent { { content, "bits", "bits.zip" } };
    }

    internal static async Task<string> NewBitsPackageAsync(HttpClient http, string app) =>
        (await (await http.PostJsonAsync($"/v3/apps/{app}/packages", new { type = "bits" })).JsonAsync(HttpStatusCode.Created)).GetProperty("guid").GetString()!;

    /// <summary>Polls a package until it leaves PROCESSING_UPLOAD / COPYING (bounded).</summary>
    internal static Task<JsonElement> WaitAsync(HttpClient http, string package) =>
        Eventually.ValueAsync($"package {package} processed", async () => await (await http.GetAsync($"/v3/packages/{package}")).JsonAsync(HttpStatusCode.OK),
            json => json.GetProperty("state").GetString() is not ("PROCESSING_UPLOAD" or "COPYING"));

    private async Task<string> NewAppAsync(HttpClient http) =>
        await AppsTests.NewAppAsync(http, await AppsTests.NewSpaceAsync(await fixture.Admin()));

    [Fact]
    public async Task BitsUploadedThroughV2AreTheAppsV3PackageAndTheReplacedOnesGo()
    {
        using var http = await fixture.As("writer");
        var app = await AppsTests.NewAppAsync(http, await AppsTests.NewSpaceAsync(await fixture.Admin()));

        await BitsTests.Upload201Async(http, app, [], Zips.Create(("package.json", Zips.Text("{}"), 0x1A4)));
        var first = (await (await http.GetAsync($"/v3/apps/{app}/packages")).JsonAsync(HttpStatusCode.OK)).GetProperty("resources");
        await BitsTests.Upload201Async(http, app, [], Zips.Create(("package.json", Zips.Text("{\"v\":2}"), 0x1A4)));
        var second = (await (await http.GetAsync($"/v3/apps/{app}/packages")).JsonAsync(HttpStatusCode.OK)).GetProperty("resources");

        var firstGuid = Assert.Single(first.EnumerateArray()).GetProperty("guid").GetString()!;
        Assert.Equal("READY", first[0].GetProperty("state").GetString());
        Assert.Equal("bits", first[0].GetProperty("type").GetString());
        // As CC: the replaced package stays listed, EXPIRED, and its bits are gone.
        Assert.Equal("EXPIRED", second.EnumerateArray().Single(p => p.GetProperty("guid").GetString() == firstGuid).GetProperty("state").GetString());
        var secondGuid = second.EnumerateArray().Single(p => p.GetProperty("state").GetString() == "READY").GetProperty("guid").GetString()!;
        Assert.NotEqual(firstGuid, secondGuid);
        Assert.DoesNotContain(firstGuid, await fixture.BlobNamesAsync(BlobContainers.Packages));
        Assert.Contains(secondGuid, await fixture.BlobNamesAsync(BlobContainers.Packages));
        // The adopted package stages like any v3 package.
        var droplet = await (await http.PostJsonAsync($"/v3/packages/{secondGuid}/droplets", new { })).JsonAsync(HttpStatusCode.Created);
        Assert.Equal("STAGING", droplet.GetProperty("state").GetString());
    }
}
