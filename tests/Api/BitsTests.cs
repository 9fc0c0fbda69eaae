using System.Net;
using System.Text.Json;
using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Bits;
using CloudController.Storage;
using CloudController.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CloudController.Tests.Api;

[Collection(ApiTier1.Name)]
public sealed class BitsTests(CloudControllerFixture fixture)
{
    private static readonly byte[] Big1 = Zips.Random();
    private static readonly byte[] Big2 = Zips.Random(80 * 1024);

    [Fact]
    public async Task ASyncUploadAnswers201WithAnEmptyObjectAndTheDownloadHoldsTheFiles()
    {
        using var http = await fixture.As("writer");
        var app = await NewAppAsync(http);
        var zip = Zips.Create(("index.js", Zips.Text("console.log(1)"), 0x1A4), ("bin/run.sh", Zips.Text("#!/bin/sh"), 0x1ED), ("data/big.bin", Big1, 0x1A4));

        var response = await http.PutAsync($"/v2/apps/{app}/bits", Zips.Bits([], zip));

        var body = await response.JsonAsync(HttpStatusCode.Created);
        Assert.Empty(body.EnumerateObject());
        var entity = await EntityAsync(http, app);
        Assert.Equal("PENDING", entity.GetProperty("package_state").GetString());
        HttpAssertions.IsCfTimestamp(entity.GetProperty("package_updated_at"));
        var files = Zips.Read(await DownloadAsync(http, app));
        Assert.Equal(["bin/run.sh", "data/big.bin", "index.js"], files.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(Big1, files["data/big.bin"].Content);
        Assert.Equal(0x81ED, files["bin/run.sh"].Mode);
        Assert.Equal(0x81A4, files["index.js"].Mode);
    }

    [Fact]
    public async Task AnAsyncUploadAnswersAQueuedJobThatFinishes()
    {
        using var http = await fixture.As("writer");
        var app = await NewAppAsync(http);

        var response = await http.PutAsync($"/v2/apps/{app}/bits?async=true", Zips.Bits([], Zips.Create(("a.txt", Zips.Text("a"), 0x1A4))));

        var job = await response.JsonAsync(HttpStatusCode.Created);
        Assert.Equal("queued", job.GetProperty("entity").GetProperty("status").GetString());
        var url = job.GetProperty("metadata").GetProperty("url").GetString();
        Assert.Equal(url, response.Headers.Location?.OriginalString);
        HttpAssertions.IsCfTimestamp(job.GetProperty("metadata").GetProperty("created_at"));
        var done = await PollAsync(http, url!);
        Assert.Equal("finished", done.GetProperty("entity").GetProperty("status").GetString());
        Assert.Equal("0", done.GetProperty("metadata").GetProperty("guid").GetString());
        Assert.Equal(["a.txt"], Zips.Read(await DownloadAsync(http, app)).Keys);
    }

    [Fact]
    public async Task TheAsyncFlagMayAlsoBeAFormPart()
    {
        using var http = await fixture.As("writer");
        var app = await NewAppAsync(http);

        var job = await (await http.PutAsync($"/v2/apps/{app}/bits", Zips.Bits([], Zips.Create(("a.txt", Zips.Text("a"), 0x1A4)), asyncPart: true)))
            .JsonAsync(HttpStatusCode.Created);

        Assert.Equal("queued", job.GetProperty("entity").GetProperty("status").GetString());
        await PollAsync(http, job.GetProperty("metadata").GetProperty("url").GetString()!);
    }

    [Fact]
    public async Task ResourceMatchAnswersTheCachedFingerprintsUnchangedAndInOrder()
    {
        using var http = await fixture.As("writer");
        var app = await NewAppAsync(http);
        var small = Zips.Text("tiny");
        await Upload201Async(http, app, [], Zips.Create(("big1", Big1, 0x1A4), ("big2", Big2, 0x1A4), ("small", small, 0x1A4)));
        var unknown = Zips.Random();
        object[] request =
        [
            Zips.Fingerprint("x/big2", Big2, "0755"),
            Zips.Fingerprint("small", small),
            Zips.Fingerprint("unknown", unknown),
            Zips.Fingerprint("big1", Big1),
        ];

        var matched = await (await http.PutAsync("/v2/resource_match", HttpAssertions.Json(request))).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(["x/big2", "big1"], matched.EnumerateArray().Select(m => m.GetProperty("fn").GetString()!));
        Assert.Equal("0755", matched[0].GetProperty("mode").GetString());
        await (await http.PutAsync("/v2/resource_match", HttpAssertions.Raw("{\"sha1\":\"x\"}"))).V2ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        await (await http.PutAsync("/v2/resource_match", HttpAssertions.Raw("[{"))).V2ErrorAsync(HttpStatusCode.BadRequest, 1001, "CF-MessageParseError");
    }

    [Fact]
    public async Task ReuploadingWithEveryFileFingerprintedSendsNoBytesAndYieldsTheSamePackage()
    {
        using var http = await fixture.As("writer");
        var app = await NewAppAsync(http);
        await Upload201Async(http, app, [], Zips.Create(("lib/one.bin", Big1, 0x1A4), ("two.bin", Big2, 0x1ED)));
        var first = await DownloadAsync(http, app);
        var before = await EntityAsync(http, app);

        await Upload201Async(http, app, [Zips.Fingerprint("lib/one.bin", Big1, "0644"), Zips.Fingerprint("two.bin", Big2, "0755")], null);

        var second = await DownloadAsync(http, app);
        var after = await EntityAsync(http, app);
        Assert.Equal(Zips.Read(first).Select(e => (e.Key, e.Value.Mode, Zips.Sha1(e.Value.Content))), Zips.Read(second).Select(e => (e.Key, e.Value.Mode, Zips.Sha1(e.Value.Content))));
        Assert.Equal(first, second);
        Assert.Equal(before.GetProperty("package_state").GetString(), after.GetProperty("package_state").GetString());
    }

    [Fact]
    public async Task UploadedZipFilesAndCachedResourcesAreMerged()
    {
        using var http = await fixture.As("writer");
        var app = await NewAppAsync(http);
        await Upload201Async(http, app, [], Zips.Create(("cached.bin", Big1, 0x1A4)));

        await Upload201Async(http, app, [Zips.Fingerprint("vendor/cached.bin", Big1, "600")], Zips.Create(("new.txt", Zips.Text("new"), 0x1A4)));

        var files = Zips.Read(await DownloadAsync(http, app));
        Assert.Equal(["new.txt", "vendor/cached.bin"], files.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(Big1, files["vendor/cached.bin"].Content);
        Assert.Equal(0x8180, files["vendor/cached.bin"].Mode);
    }

    public static TheoryData<string, int, string> BadUploads() => new()
    {
        { "not-a-zip", 160001, "CF-AppBitsUploadInvalid" },
        { "truncated-zip", 160001, "CF-AppBitsUploadInvalid" },
        { "dot-dot-entry", 160001, "CF-AppBitsUploadInvalid" },
        { "absolute-entry", 160001, "CF-AppBitsUploadInvalid" },
        { "symlink-outside", 160001, "CF-AppBitsUploadInvalid" },
        { "zip-bomb", 150001, "CF-AppPackageInvalid" },
        { "body-too-large", 160001, "CF-AppBitsUploadInvalid" },
        { "mode-below-0600", 160003, "CF-AppResourcesFileModeInvalid" },
        { "fingerprint-path-escapes", 160004, "CF-AppResourcesFilePathInvalid" },
        { "fingerprint-not-cached", 160001, "CF-AppBitsUploadInvalid" },
        { "resources-not-an-array", 160001, "CF-AppBitsUploadInvalid" },
        { "resources-missing", 160001, "CF-AppBitsUploadInvalid" },
        { "sha1-is-a-path", 160001, "CF-AppBitsUploadInvalid" },
        { "sha1-not-hex", 160001, "CF-AppBitsUploadInvalid" },
        { "duplicate-entries", 160001, "CF-AppBitsUploadInvalid" },
        { "crc-mismatch", 160001, "CF-AppBitsUploadInvalid" },
    };

    [Theory]
    [MemberData(nameof(BadUploads))]
    public async Task ABadSyncUploadIsRejectedAndLeavesThePreviousPackageAndStateIntact(string kind, int code, string errorCode)
    {
        using var http = await fixture.As("writer");
        var app = await NewAppAsync(http);
        await Upload201Async(http, app, [], Zips.Create(("good.txt", Zips.Text("good"), 0x1A4)));
        var before = await (await http.GetAsync($"/v2/apps/{app}")).Content.ReadAsStringAsync();
        var good = await DownloadAsync(http, app);

        var error = await (await http.PutAsync($"/v2/apps/{app}/bits", BadUpload(kind))).V2ErrorAsync(HttpStatusCode.BadRequest, code, errorCode);

        Assert.DoesNotContain("   at ", error.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await (await http.GetAsync($"/v2/apps/{app}")).Content.ReadAsStringAsync());
        Assert.Equal(good, await DownloadAsync(http, app));
    }

    [Theory]
    [InlineData("not-a-zip", 160001, "CF-AppBitsUploadInvalid")]
    [InlineData("symlink-outside", 160001, "CF-AppBitsUploadInvalid")]
    [InlineData("fingerprint-not-cached", 160001, "CF-AppBitsUploadInvalid")]
    public async Task ABadAsyncUploadFailsItsJobWithErrorDetails(string kind, int code, string errorCode)
    {
        using var http = await fixture.As("writer");
        var app = await NewAppAsync(http);

        var job = await (await http.PutAsync($"/v2/apps/{app}/bits?async=true", BadUpload(kind))).JsonAsync(HttpStatusCode.Created);
        var failed = await PollAsync(http, job.GetProperty("metadata").GetProperty("url").GetString()!);

        var entity = failed.GetProperty("entity");
        Assert.Equal("failed", entity.GetProperty("status").GetString());
        Assert.Equal("Use of entity>error is deprecated in favor of entity>error_details.", entity.GetProperty("error").GetString());
        Assert.Equal(code, entity.GetProperty("error_details").GetProperty("code").GetInt32());
        Assert.Equal(errorCode, entity.GetProperty("error_details").GetProperty("error_code").GetString());
        await (await http.GetAsync($"/v2/apps/{app}/download")).V2ErrorAsync(HttpStatusCode.NotFound, 150002, "CF-AppPackageNotFound");
    }

    [Fact]
    public async Task ARejectedUploadLeavesNothingInTheUploadsContainer()
    {
        using var http = await fixture.As("writer");
        var app = await NewAppAsync(http);
        var before = await fixture.BlobNamesAsync(BlobContainers.Uploads);

        await (await http.PutAsync($"/v2/apps/{app}/bits", BadUpload("body-too-large"))).V2ErrorAsync(HttpStatusCode.BadRequest, 160001, "CF-AppBitsUploadInvalid");
        await (await http.PutAsync($"/v2/apps/{app}/bits", BadUpload("resources-missing"))).V2ErrorAsync(HttpStatusCode.BadRequest, 160001, "CF-AppBitsUploadInvalid");
        await (await http.PutAsync($"/v2/apps/{app}/bits", BadUpload("not-a-zip"))).V2ErrorAsync(HttpStatusCode.BadRequest, 160001, "CF-AppBitsUploadInvalid");

        // Other tests' uploads may be in flight meanwhile; theirs go when their jobs end, a leaked one stays.
        await Eventually.ValueAsync("no upload left behind", async () => (await fixture.BlobNamesAsync(BlobContainers.Uploads)).Except(before).ToList(),
            added => added.Count == 0, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task UploadingToAnUnknownAppIsAppNotFound()
    {
        using var http = await fixture.As("writer");

        await (await http.PutAsync($"/v2/apps/{Guid.NewGuid()}/bits", Zips.Bits([], null))).V2ErrorAsync(HttpStatusCode.NotFound, 100004, "CF-AppNotFound");
    }

    [Fact]
    public async Task CopyBitsCopiesTheSourcePackageAndMarksTheDestinationPending()
    {
        using var http = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(await fixture.Admin());
        var source = await AppsTests.NewAppAsync(http, space);
        var destination = await AppsTests.NewAppAsync(http, space);
        await Upload201Async(http, source, [], Zips.Create(("app.py", Zips.Text("print(1)"), 0x1A4)));

        var job = await (await http.PostJsonAsync($"/v2/apps/{destination}/copy_bits", new { source_app_guid = source })).JsonAsync(HttpStatusCode.Created);
        await PollAsync(http, job.GetProperty("metadata").GetProperty("url").GetString()!, expect: "finished");

        Assert.Equal("queued", job.GetProperty("entity").GetProperty("status").GetString());
        Assert.Equal(await DownloadAsync(http, source), await DownloadAsync(http, destination));
        var entity = await EntityAsync(http, destination);
        Assert.Equal("PENDING", entity.GetProperty("package_state").GetString());
        HttpAssertions.IsCfTimestamp(entity.GetProperty("package_updated_at"));
    }

    [Fact]
    public async Task CopyBitsErrors()
    {
        using var http = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(await fixture.Admin());
        var empty = await AppsTests.NewAppAsync(http, space);
        var destination = await AppsTests.NewAppAsync(http, space);

        await (await http.PostJsonAsync($"/v2/apps/{destination}/copy_bits", new { })).V2ErrorAsync(HttpStatusCode.BadRequest, 160002, "CF-AppBitsCopyInvalid");
        await (await http.PostJsonAsync($"/v2/apps/{destination}/copy_bits", new { source_app_guid = Guid.NewGuid() })).V2ErrorAsync(HttpStatusCode.NotFound, 100004, "CF-AppNotFound");
        await (await http.PostJsonAsync($"/v2/apps/{Guid.NewGuid()}/copy_bits", new { source_app_guid = empty })).V2ErrorAsync(HttpStatusCode.NotFound, 100004, "CF-AppNotFound");
        var job = await (await http.PostJsonAsync($"/v2/apps/{destination}/copy_bits", new { source_app_guid = empty })).JsonAsync(HttpStatusCode.Created);
        var failed = await PollAsync(http, job.GetProperty("metadata").GetProperty("url").GetString()!);

        Assert.Equal("CF-AppPackageNotFound", failed.GetProperty("entity").GetProperty("error_details").GetProperty("error_code").GetString());
    }

    [Fact]
    public async Task UnknownJobsReadAsTheNullJob()
    {
        using var http = await fixture.As("reader");

        var job = await (await http.GetAsync($"/v2/jobs/{Guid.NewGuid()}")).JsonAsync(HttpStatusCode.OK);
        var garbage = await (await http.GetAsync("/v2/jobs/whatever")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal("0", job.GetProperty("entity").GetProperty("guid").GetString());
        Assert.Equal("finished", job.GetProperty("entity").GetProperty("status").GetString());
        Assert.Equal("1970-01-01T00:00:00Z", job.GetProperty("metadata").GetProperty("created_at").GetString());
        Assert.Equal("/v2/jobs/0", garbage.GetProperty("metadata").GetProperty("url").GetString());
    }

    [Fact]
    public async Task DeletingAnAppDeletesItsPackageBlob()
    {
        using var http = await fixture.As("writer");
        var app = await NewAppAsync(http);
        await Upload201Async(http, app, [], Zips.Create(("a", Zips.Text("a"), 0x1A4)));
        // By name, not by count: other collections' systems write to the same container meanwhile.
        var stored = await fixture.Silo.Services.GetRequiredService<IGrainFactory>().GetGrain<IAppGrain>(Guid.Parse(app)).GetAsync();
        var package = BitsBlobNames.Package(stored.Package!.PackageGuid);
        Assert.Contains(package, await fixture.BlobNamesAsync(BlobContainers.Packages));

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/v2/apps/{app}")).StatusCode);

        Assert.DoesNotContain(package, await fixture.BlobNamesAsync(BlobContainers.Packages));
    }

    [Fact]
    public async Task FiftyConcurrentUploadsToFiftyAppsAllFinish()
    {
        using var http = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(await fixture.Admin());
        var apps = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => AppsTests.NewAppAsync(http, space, $"app{i}")));

        var jobs = await Task.WhenAll(apps.Select(async (app, i) =>
        {
            var zip = Zips.Create(("id.txt", Zips.Text(app), 0x1A4), ("payload.bin", Zips.Random(8 * 1024 + i), 0x1A4));
            var job = await (await http.PutAsync($"/v2/apps/{app}/bits?async=true", Zips.Bits([], zip))).JsonAsync(HttpStatusCode.Created);
            return job.GetProperty("metadata").GetProperty("url").GetString()!;
        }));
        await Task.WhenAll(jobs.Select(url => PollAsync(http, url, expect: "finished")));

        foreach (var app in apps)
        {
            Assert.Equal(Zips.Text(app), Zips.Read(await DownloadAsync(http, app))["id.txt"].Content);
        }
    }

    private static MultipartFormDataContent BadUpload(string kind)
    {
        var valid = Zips.Create(("a.txt", Zips.Text("a"), 0x1A4));
        return kind switch
        {
            "not-a-zip" => Zips.Bits([], Zips.Text("this is not a zip file at all")),
            "truncated-zip" => Zips.Bits([], Zips.Create(("big.bin", Zips.Random(200_000), 0x1A4))[..100_000]),
            "dot-dot-entry" => Zips.Bits([], Zips.Create(("a/../../evil.sh", Zips.Text("x"), 0x1A4))),
            "absolute-entry" => Zips.Bits([], Zips.Create(("/etc/passwd", Zips.Text("x"), 0x1A4))),
            "symlink-outside" => Zips.Bits([], Zips.Create(("link", Zips.Text("../../etc/passwd"), Zips.Symlink | 0x1FF))),
            "zip-bomb" => Zips.Bits([], Zips.Create(("zeros.bin", new byte[TestLimits.MaxPackageSize + 1], 0x1A4))),
            "body-too-large" => Zips.Bits([], Zips.Random((int)TestLimits.MaxUploadSize + 1024)),
            "mode-below-0600" => Zips.Bits([Zips.Fingerprint("a.bin", Big1, "0444")], valid),
            "fingerprint-path-escapes" => Zips.Bits([Zips.Fingerprint("../a.bin", Big1)], valid),
            "fingerprint-not-cached" => Zips.Bits([Zips.Fingerprint("a.bin", Zips.Random())], valid),
            "resources-not-an-array" => RawResources("{\"fn\":\"a\"}", valid),
            "sha1-is-a-path" => RawResources("[{\"fn\":\"a.bin\",\"size\":1,\"sha1\":\"../grain-state/state-app/x.json\"}]", valid),
            "sha1-not-hex" => RawResources($"[{{\"fn\":\"a.bin\",\"size\":1,\"sha1\":\"{new string('z', 40)}\"}}]", valid),
            "duplicate-entries" => Zips.Bits([], Zips.Create(("index.html", Zips.Text("hi"), 0x1A4), ("big.bin", Zips.Random(), 0x1A4), ("big.bin", Zips.Random(), 0x1A4))),
            "crc-mismatch" => Zips.Bits([], Zips.Corrupt(Zips.CreateStored(("data.txt", Zips.Text(new string('x', 4096)), 0x1A4)), "xxxx", "xxyx")),
            _ => WithoutResources(valid),
        };
    }

    private static MultipartFormDataContent RawResources(string resources, byte[] zip)
    {
        var form = new MultipartFormDataContent { { new StringContent(resources), "resources" } };
        form.Add(new ByteArrayContent(zip), "application", "application.zip");
        return form;
    }

    private static MultipartFormDataContent WithoutResources(byte[] zip)
    {
        var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(zip), "application", "application.zip");
        return form;
    }

    internal static async Task Upload201Async(HttpClient http, string app, object[] resources, byte[]? zip) =>
        await (await http.PutAsync($"/v2/apps/{app}/bits", Zips.Bits(resources, zip))).JsonAsync(HttpStatusCode.Created);

    internal static async Task<byte[]> DownloadAsync(HttpClient http, string app)
    {
        var response = await http.GetAsync($"/v2/apps/{app}/download");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsByteArrayAsync();
    }

    internal static async Task<JsonElement> EntityAsync(HttpClient http, string app) =>
        (await (await http.GetAsync($"/v2/apps/{app}")).JsonAsync(HttpStatusCode.OK)).GetProperty("entity");

    /// <summary>Polls a job until it is finished or failed (bounded).</summary>
    internal static async Task<JsonElement> PollAsync(HttpClient http, string url, string? expect = null, TimeSpan? bound = null)
    {
        var job = await Eventually.ValueAsync($"job {url} ended", async () => await (await http.GetAsync(url)).JsonAsync(HttpStatusCode.OK), job =>
        {
            var status = job.GetProperty("entity").GetProperty("status").GetString();
            Assert.True(status is "queued" or "running" or "finished" or "failed", $"unexpected job status {status}");
            return status is "finished" or "failed";
        }, bound);
        if (expect is not null)
        {
            Assert.Equal(expect, job.GetProperty("entity").GetProperty("status").GetString());
        }

        return job;
    }

    private async Task<string> NewAppAsync(HttpClient http) =>
        await AppsTests.NewAppAsync(http, await AppsTests.NewSpaceAsync(await fixture.Admin()));
}
