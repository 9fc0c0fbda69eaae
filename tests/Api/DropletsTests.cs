using System.Net;
using System.Text.Json;
using CloudController.Tests.Infrastructure;

namespace CloudController.Tests.Api;

[Collection(ApiTier3.Name)]
public sealed class DropletsTests(CloudControllerFixture fixture)
{
    [Fact]
    public async Task TheWholeV3FlowEndsWithAStartedApp()
    {
        using var http = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(await fixture.Admin());
        var app = (await (await http.PostJsonAsync("/v3/apps", new { name = "v3-flow", relationships = new { space = new { guid = space } } }))
            .JsonAsync(HttpStatusCode.Created)).GetProperty("guid").GetString()!;
        var package = await ReadyPackageAsync(http, app, ("package.json", Zips.Text("{}")));

        var staging = await (await http.PostJsonAsync($"/v3/packages/{package}/droplets", new { environment_variables = new { STAGE = "1" } })).JsonAsync(HttpStatusCode.Created);
        var droplet = staging.GetProperty("guid").GetString()!;
        var staged = await WaitAsync(http, droplet);
        var current = await (await http.PutJsonAsync($"/v3/apps/{app}/current_droplet", new { droplet_guid = droplet })).JsonAsync(HttpStatusCode.OK);
        var started = await (await http.PutAsync($"/v3/apps/{app}/start", null)).JsonAsync(HttpStatusCode.OK);

        Assert.Equal("STAGING", staging.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, staging.GetProperty("result").ValueKind);
        Assert.Equal("STAGED", staged.GetProperty("state").GetString());
        var result = staged.GetProperty("result");
        Assert.Equal("nodejs_buildpack", result.GetProperty("buildpack").GetString());
        Assert.Equal("cflinuxfs2", result.GetProperty("stack").GetString());
        Assert.Equal("npm start", result.GetProperty("process_types").GetProperty("web").GetString());
        Assert.Equal("sha1", result.GetProperty("hash").GetProperty("type").GetString());
        Assert.Equal(40, result.GetProperty("hash").GetProperty("value").GetString()!.Length);
        Assert.Equal("1", staged.GetProperty("environment_variables").GetProperty("STAGE").GetString());
        Assert.Equal($"/v3/packages/{package}", staged.GetProperty("links").GetProperty("package").GetProperty("href").GetString());
        Assert.Equal(droplet, current.GetProperty("relationships").GetProperty("current_droplet").GetProperty("data").GetProperty("guid").GetString());
        Assert.Equal("STARTED", started.GetProperty("desired_state").GetString());
        var v2 = await BitsTests.EntityAsync(http, app);
        Assert.Equal("STAGED", v2.GetProperty("package_state").GetString());
        Assert.Equal("nodejs_buildpack", v2.GetProperty("detected_buildpack").GetString());
        Assert.Equal("STARTED", v2.GetProperty("state").GetString());
        Assert.Contains(droplet, await fixture.BlobNamesAsync(CloudController.Storage.BlobContainers.Droplets));

        var delete = await http.DeleteAsync($"/v3/apps/{app}");
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        await V3PlatformTests.PollJobAsync(http, delete.Headers.Location!);

        Assert.DoesNotContain(droplet, await fixture.BlobNamesAsync(CloudController.Storage.BlobContainers.Droplets));
        Assert.DoesNotContain(package, await fixture.BlobNamesAsync(CloudController.Storage.BlobContainers.Packages));
        await (await http.GetAsync($"/v3/droplets/{droplet}")).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ResourceNotFound");
    }

    [Fact]
    public async Task AV2CreatedAppIsStageableThroughV3()
    {
        using var http = await fixture.As("writer");
        var app = await AppsTests.NewAppAsync(http, await AppsTests.NewSpaceAsync(await fixture.Admin()), "from-v2");
        var package = await ReadyPackageAsync(http, app, ("Gemfile", Zips.Text("source 'x'")));

        var droplet = (await (await http.PostAsync($"/v3/packages/{package}/droplets", null)).JsonAsync(HttpStatusCode.Created)).GetProperty("guid").GetString()!;
        var staged = await WaitAsync(http, droplet);

        Assert.Equal("ruby_buildpack", staged.GetProperty("result").GetProperty("buildpack").GetString());
        var listed = await (await http.GetAsync($"/v3/apps/{app}/droplets")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(droplet, listed.GetProperty("resources")[0].GetProperty("guid").GetString());
    }

    [Fact]
    public async Task OnlyOneStagingPerAppAtATime()
    {
        using var http = await fixture.As("writer");
        var app = await AppsTests.NewAppAsync(http, await AppsTests.NewSpaceAsync(await fixture.Admin()));
        var package = await ReadyPackageAsync(http, app, ("index.html", Zips.Text("<p>")), ("big.bin", Zips.Random(3 * 1024 * 1024)));

        var first = await (await http.PostAsync($"/v3/packages/{package}/droplets", null)).JsonAsync(HttpStatusCode.Created);
        var second = await http.PostAsync($"/v3/packages/{package}/droplets", null);

        await second.V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 170017, "CF-StagingInProgress");
        await WaitAsync(http, first.GetProperty("guid").GetString()!);
        await (await http.PostAsync($"/v3/packages/{package}/droplets", null)).JsonAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task StagingErrors()
    {
        using var http = await fixture.As("writer");
        var app = await AppsTests.NewAppAsync(http, await AppsTests.NewSpaceAsync(await fixture.Admin()));
        var awaiting = await PackagesTests.NewBitsPackageAsync(http, app);
        var ready = await ReadyPackageAsync(http, app, ("README", Zips.Text("no app here")));

        var notReady = await (await http.PostAsync($"/v3/packages/{awaiting}/droplets", null)).V3ErrorAsync(HttpStatusCode.BadRequest, 10004, "CF-InvalidRequest");
        await (await http.PostAsync($"/v3/packages/{Guid.NewGuid()}/droplets", null)).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ResourceNotFound");
        await (await http.PostJsonAsync($"/v3/packages/{ready}/droplets", new { lifecycle = new { type = "buildpack", data = new { stack = "windows" } } }))
            .V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        await (await http.PostJsonAsync($"/v3/packages/{ready}/droplets", new { colour = "red" })).V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        var failed = await WaitAsync(http, (await (await http.PostAsync($"/v3/packages/{ready}/droplets", null)).JsonAsync(HttpStatusCode.Created)).GetProperty("guid").GetString()!);

        Assert.Equal("Cannot stage package whose state is not ready.", notReady.GetProperty("detail").GetString());
        Assert.Equal("FAILED", failed.GetProperty("state").GetString());
        Assert.StartsWith("NoAppDetectedError - ", failed.GetProperty("error").GetString(), StringComparison.Ordinal);
        await (await http.PutJsonAsync($"/v3/apps/{app}/current_droplet", new { droplet_guid = failed.GetProperty("guid").GetString() }))
            .V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        var unknown = await (await http.PutJsonAsync($"/v3/apps/{app}/current_droplet", new { droplet_guid = Guid.NewGuid() }))
            .V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ResourceNotFound");
        Assert.Equal("Droplet not found", unknown.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task TheCurrentDropletChangesOnlyWhileStopped()
    {
        using var http = await fixture.As("writer");
        var app = await AppsTests.NewAppAsync(http, await AppsTests.NewSpaceAsync(await fixture.Admin()));
        var package = await ReadyPackageAsync(http, app, ("go.mod", Zips.Text("module x")));
        var droplet = (await (await http.PostAsync($"/v3/packages/{package}/droplets", null)).JsonAsync(HttpStatusCode.Created)).GetProperty("guid").GetString()!;
        await WaitAsync(http, droplet);
        await (await http.PutJsonAsync($"/v3/apps/{app}/current_droplet", new { droplet_guid = droplet })).JsonAsync(HttpStatusCode.OK);
        await (await http.PutAsync($"/v3/apps/{app}/start", null)).JsonAsync(HttpStatusCode.OK);

        var error = await (await http.PutJsonAsync($"/v3/apps/{app}/current_droplet", new { droplet_guid = droplet }))
            .V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");

        Assert.Equal("Stop the app before changing droplet", error.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task BuildsStageAPackageAndReferenceTheirDroplet()
    {
        using var http = await fixture.As("writer");
        var app = await AppsTests.NewAppAsync(http, await AppsTests.NewSpaceAsync(await fixture.Admin()));
        var package = await ReadyPackageAsync(http, app, ("requirements.txt", Zips.Text("flask")));

        var build = await (await http.PostJsonAsync("/v3/builds", new { package = new { guid = package } })).JsonAsync(HttpStatusCode.Created);
        var guid = build.GetProperty("guid").GetString()!;
        await WaitAsync(http, guid);
        var done = await (await http.GetAsync($"/v3/builds/{guid}")).JsonAsync(HttpStatusCode.OK);

        // The answer waits (bounded) for a quick staging: STAGING with no droplet yet, or already STAGED with it.
        Assert.True(build.GetProperty("state").GetString() is "STAGING" or "STAGED", build.ToString());
        Assert.Equal(package, build.GetProperty("package").GetProperty("guid").GetString());
        Assert.Equal(build.GetProperty("state").GetString() == "STAGING" ? JsonValueKind.Null : JsonValueKind.Object, build.GetProperty("droplet").ValueKind);
        Assert.Equal("STAGED", done.GetProperty("state").GetString());
        Assert.Equal(guid, done.GetProperty("droplet").GetProperty("guid").GetString());
        await (await http.PostJsonAsync("/v3/builds", new { })).V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        await (await http.GetAsync($"/v3/builds/{Guid.NewGuid()}")).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ResourceNotFound");
    }

    [Fact]
    public async Task DropletsAreListedAndDeleted()
    {
        using var http = await fixture.As("writer");
        var app = await AppsTests.NewAppAsync(http, await AppsTests.NewSpaceAsync(await fixture.Admin()));
        var package = await ReadyPackageAsync(http, app, ("index.html", Zips.Text("<p>")));
        var droplet = (await (await http.PostAsync($"/v3/packages/{package}/droplets", null)).JsonAsync(HttpStatusCode.Created)).GetProperty("guid").GetString()!;
        await WaitAsync(http, droplet);

        var byPackage = await (await http.GetAsync($"/v3/packages/{package}/droplets")).JsonAsync(HttpStatusCode.OK);
        // Lists read the droplet's index entry, derived after its store (the storing turn waits for it at most 2 s).
        var byApp = await Eventually.ValueAsync("the droplet listed as STAGED", async () => await (await http.GetAsync($"/v3/droplets?app_guids={app}&states=STAGED")).JsonAsync(HttpStatusCode.OK),
            list => list.GetProperty("resources").GetArrayLength() == 1);
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/v3/droplets/{droplet}")).StatusCode);

        Assert.Equal(1, byPackage.GetProperty("pagination").GetProperty("total_results").GetInt32());
        Assert.Equal(droplet, byApp.GetProperty("resources")[0].GetProperty("guid").GetString());
        await (await http.GetAsync($"/v3/droplets/{droplet}")).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ResourceNotFound");
        Assert.Equal(0, (await (await http.GetAsync($"/v3/apps/{app}/droplets")).JsonAsync(HttpStatusCode.OK)).GetProperty("pagination").GetProperty("total_results").GetInt32());
    }

    [Fact]
    public async Task AStagedDropletIsCopiedToAnotherAppWithItsBitsAndTheCopyRuns()
    {
        using var http = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(await fixture.Admin());
        var source = await AppsTests.NewAppAsync(http, space);
        var target = await AppsTests.NewAppAsync(http, space);
        var package = await ReadyPackageAsync(http, source, ("index.html", Zips.Text("<p>copied</p>")), ("Procfile", Zips.Text("web: ./serve\nworker: ./work\n")));
        var original = (await (await http.PostAsync($"/v3/packages/{package}/droplets", null)).JsonAsync(HttpStatusCode.Created)).GetProperty("guid").GetString()!;
        var staged = await WaitAsync(http, original);
        var body = new { relationships = new { app = new { data = new { guid = target } } } };

        var copied = await (await http.PostJsonAsync($"/v3/droplets?source_guid={original}", body)).JsonAsync(HttpStatusCode.Created);
        var copy = copied.GetProperty("guid").GetString()!;
        Assert.NotEqual(original, copy);
        Assert.Equal("STAGED", copied.GetProperty("state").GetString());
        Assert.Equal(staged.GetProperty("process_types").GetRawText(), copied.GetProperty("process_types").GetRawText());
        Assert.Equal(copy, (await (await http.GetAsync($"/v3/apps/{target}/droplets")).JsonAsync(HttpStatusCode.OK)).GetProperty("resources")[0].GetProperty("guid").GetString());
        // The copy has its own bits: deleting the original leaves it whole, and the target app runs it.
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/v3/droplets/{original}")).StatusCode);
        Assert.Contains(copy, await fixture.BlobNamesAsync("droplets"));
        await (await http.PatchAsync($"/v3/apps/{target}/relationships/current_droplet", HttpAssertions.Json(new { data = new { guid = copy } }))).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("STARTED", (await (await http.PostAsync($"/v3/apps/{target}/actions/start", null)).JsonAsync(HttpStatusCode.OK)).GetProperty("state").GetString());

        // A deleted source is not found; a target app must be named; an auditor sees both apps but may not copy.
        await (await http.PostJsonAsync($"/v3/droplets?source_guid={original}", body)).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ResourceNotFound");
        await (await http.PostJsonAsync($"/v3/droplets?source_guid={copy}", new { })).V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        using var stranger = await fixture.As("reader");
        await (await stranger.PostJsonAsync($"/v3/droplets?source_guid={copy}", body)).V3ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");
    }

    [Fact]
    public async Task AnUploadedTarballBecomesAStagedDropletThatRunsAndDownloadsAsATarball()
    {
        using var http = await fixture.As("writer");
        var app = await AppsTests.NewAppAsync(http, await AppsTests.NewSpaceAsync(await fixture.Admin()));
        var body = new { relationships = new { app = new { data = new { guid = app } } }, process_types = new { worker = "./work" } };

        var created = await (await http.PostJsonAsync("/v3/droplets", body)).JsonAsync(HttpStatusCode.Created);
        var droplet = created.GetProperty("guid").GetString()!;
        Assert.Equal("AWAITING_UPLOAD", created.GetProperty("state").GetString());
        Assert.EndsWith($"/v3/droplets/{droplet}/upload", created.GetProperty("links").GetProperty("upload").GetProperty("href").GetString());
        var tarball = Tarball(("./app/run", "#!/bin/sh\necho hi\n", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute),
            ("./staging_info.yml", """{"detected_buildpack":"binary_buildpack","start_command":"./run"}""", UnixFileMode.UserRead));

        var upload = await http.PostAsync($"/v3/droplets/{droplet}/upload", DropletBits(tarball));
        var processing = await upload.JsonAsync(HttpStatusCode.Accepted);
        Assert.Equal("PROCESSING_UPLOAD", processing.GetProperty("state").GetString());
        await V3PlatformTests.PollJobAsync(http, upload.Headers.Location!);

        var staged = await (await http.GetAsync($"/v3/droplets/{droplet}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("STAGED", staged.GetProperty("state").GetString());
        Assert.Equal("./run", staged.GetProperty("process_types").GetProperty("web").GetString());
        Assert.Equal("./work", staged.GetProperty("process_types").GetProperty("worker").GetString());
        Assert.Contains(droplet, await fixture.BlobNamesAsync(CloudController.Storage.BlobContainers.Droplets));
        // A staged droplet's bits are never replaced.
        await (await http.PostAsync($"/v3/droplets/{droplet}/upload", DropletBits(tarball))).V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");

        // The download is a tarball again, with the executable bit kept.
        var download = await http.GetAsync($"/v3/droplets/{droplet}/download");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        var entries = ReadTarball(await download.Content.ReadAsByteArrayAsync());
        Assert.Equal("#!/bin/sh\necho hi\n", entries["./app/run"].Content);
        Assert.True(entries["./app/run"].Mode.HasFlag(UnixFileMode.UserExecute));
        Assert.Contains("start_command", entries["./staging_info.yml"].Content);

        await (await http.PatchAsync($"/v3/apps/{app}/relationships/current_droplet", HttpAssertions.Json(new { data = new { guid = droplet } }))).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("STARTED", (await (await http.PostAsync($"/v3/apps/{app}/actions/start", null)).JsonAsync(HttpStatusCode.OK)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task AnUploadThatIsNoDropletFailsItsJobAndTheDropletWithTheReason()
    {
        using var http = await fixture.As("writer");
        var app = await AppsTests.NewAppAsync(http, await AppsTests.NewSpaceAsync(await fixture.Admin()));
        var droplet = (await (await http.PostJsonAsync("/v3/droplets", new { relationships = new { app = new { data = new { guid = app } } } }))
            .JsonAsync(HttpStatusCode.Created)).GetProperty("guid").GetString()!;

        // A body that is no multipart form is refused at once in the v3 envelope, and the droplet still awaits its bits.
        var notAForm = await http.PostAsync($"/v3/droplets/{droplet}/upload", HttpAssertions.Json(new { bits = "x" }));
        Assert.Equal(HttpStatusCode.BadRequest, notAForm.StatusCode);
        Assert.StartsWith("CF-", (await notAForm.JsonAsync(HttpStatusCode.BadRequest)).GetProperty("errors")[0].GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Equal("AWAITING_UPLOAD", (await (await http.GetAsync($"/v3/droplets/{droplet}")).JsonAsync(HttpStatusCode.OK)).GetProperty("state").GetString());

        var upload = await http.PostAsync($"/v3/droplets/{droplet}/upload", DropletBits("not a droplet"u8.ToArray()));
        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        var job = await Eventually.ValueAsync("the upload job", async () => await (await http.GetAsync(upload.Headers.Location)).JsonAsync(HttpStatusCode.OK),
            j => j.GetProperty("state").GetString() is "COMPLETE" or "FAILED");
        Assert.Equal("FAILED", job.GetProperty("state").GetString());
        Assert.Contains("gzipped tarball", job.GetProperty("errors")[0].GetProperty("detail").GetString());
        var failed = await (await http.GetAsync($"/v3/droplets/{droplet}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("FAILED", failed.GetProperty("state").GetString());
        Assert.DoesNotContain(droplet, await fixture.BlobNamesAsync(CloudController.Storage.BlobContainers.Droplets));
        await (await http.GetAsync($"/v3/droplets/{droplet}/download")).V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");

        // Bad bodies change nothing: process types must be an object of strings; a tarball escaping the droplet fails.
        await (await http.PostJsonAsync("/v3/droplets", new { relationships = new { app = new { data = new { guid = app } } }, process_types = new { web = 3 } }))
            .V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        var escaping = await http.PostAsync($"/v3/droplets/{droplet}/upload", DropletBits(Tarball(("../evil", "x", UnixFileMode.UserRead))));
        var escaped = await Eventually.ValueAsync("the second upload job", async () => await (await http.GetAsync(escaping.Headers.Location)).JsonAsync(HttpStatusCode.OK),
            j => j.GetProperty("state").GetString() is "COMPLETE" or "FAILED");
        Assert.Contains("leaves the droplet", escaped.GetProperty("errors")[0].GetProperty("detail").GetString());
    }

    private static MultipartFormDataContent DropletBits(byte[] tarball)
    {
        var content = new ByteArrayContent(tarball);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/gzip");
        return new MultipartFormDataContent { { content, "bits", "droplet.tgz" } };
    }

    private static byte[] Tarball(params (string Name, string Content, UnixFileMode Mode)[] files)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new System.Formats.Tar.TarWriter(gzip, System.Formats.Tar.TarEntryFormat.Pax))
        {
            foreach (var (name, content, mode) in files)
            {
                tar.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, name)
                {
                    Mode = mode,
                    DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)),
                });
            }
        }

        return buffer.ToArray();
    }

    private static Dictionary<string, (string Content, UnixFileMode Mode)> ReadTarball(byte[] tarball)
    {
        var entries = new Dictionary<string, (string, UnixFileMode)>();
        using var tar = new System.Formats.Tar.TarReader(new System.IO.Compression.GZipStream(new MemoryStream(tarball), System.IO.Compression.CompressionMode.Decompress));
        while (tar.GetNextEntry() is { } entry)
        {
            using var reader = new StreamReader(entry.DataStream ?? Stream.Null);
            entries[entry.Name] = (reader.ReadToEnd(), entry.Mode);
        }

        return entries;
    }

    internal static async Task<string> ReadyPackageAsync(HttpClient http, string app, params (string Path, byte[] Content)[] files)
    {
        var package = await PackagesTests.NewBitsPackageAsync(http, app);
        await (await http.PostAsync($"/v3/packages/{package}/upload", PackagesTests.Bits(Zips.Create([.. files.Select(f => (f.Path, f.Content, 0x1A4))])))).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("READY", (await PackagesTests.WaitAsync(http, package)).GetProperty("state").GetString());
        return package;
    }

    /// <summary>Polls a droplet until it leaves STAGING (bounded).</summary>
    private static Task<JsonElement> WaitAsync(HttpClient http, string droplet) =>
        Eventually.ValueAsync($"droplet {droplet} staged or failed", async () => await (await http.GetAsync($"/v3/droplets/{droplet}")).JsonAsync(HttpStatusCode.OK),
            json => json.GetProperty("state").GetString() != "STAGING");
}
