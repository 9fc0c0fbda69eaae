using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CloudController.Storage;
using CloudController.Tests.Infrastructure;

namespace CloudController.Tests.Api;

/// <summary>Input an attacker with a valid token would send: bounded where it enters, the resource cache untamperable.</summary>
[Collection(ApiTier3.Name)]
public sealed class HostileInputTests(CloudControllerFixture fixture)
{
    [Fact]
    public async Task AZipThatNamesOneFileTwiceIsRefusedAndCachesNeitherContent()
    {
        using var http = await fixture.As("writer");
        var app = await AppsTests.NewAppAsync(http, await AppsTests.NewSpaceAsync(await fixture.Admin()));
        var (a, b) = (Zips.Text(new string('A', 70_000)), Zips.Text(new string('B', 70_000)));
        var zip = Zips.Create(("index.html", Zips.Text("hi"), 0x1A4), ("big.bin", a, 0x1A4), ("big.bin", b, 0x1A4));

        var error = await (await http.PutAsync($"/v2/apps/{app}/bits", Zips.Bits([], zip))).V2ErrorAsync(HttpStatusCode.BadRequest, 160001, "CF-AppBitsUploadInvalid");

        Assert.Contains("'big.bin' more than once", error.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Empty(await MatchedAsync(http, a, b));
    }

    [Fact]
    public async Task ADamagedCacheEntryIsDetectedRemovedAndThenReplacedByTheRealContent()
    {
        using var http = await fixture.As("writer");
        var app = await AppsTests.NewAppAsync(http, await AppsTests.NewSpaceAsync(await fixture.Admin()));
        var real = Zips.Random();
        var resources = fixture.BitsContainer(BlobContainers.Resources);
        await resources.CreateIfNotExistsAsync();
        await resources.GetBlobClient(Zips.Sha1(real)).UploadAsync(BinaryData.FromBytes(Zips.Random()));
        Assert.Single(await MatchedAsync(http, real));

        await (await http.PutAsync($"/v2/apps/{app}/bits", Zips.Bits([Zips.Fingerprint("lib.bin", real)], Zips.Create(("a.txt", Zips.Text("a"), 0x1A4)))))
            .V2ErrorAsync(HttpStatusCode.BadRequest, 150010, "CF-ResourceChecksumMismatch");
        Assert.Empty(await MatchedAsync(http, real));

        await BitsTests.Upload201Async(http, app, [], Zips.Create(("lib.bin", real, 0x1A4)));
        Assert.Single(await MatchedAsync(http, real));
        Assert.Equal(real, (await resources.GetBlobClient(Zips.Sha1(real)).DownloadContentAsync()).Value.Content.ToArray());
    }

    [Fact]
    public async Task SetuidSetgidAndStickyBitsAreDroppedFromPackages()
    {
        using var http = await fixture.As("writer");
        var app = await AppsTests.NewAppAsync(http, await AppsTests.NewSpaceAsync(await fixture.Admin()));

        await BitsTests.Upload201Async(http, app, [], Zips.Create(("run.sh", Zips.Text("#!/bin/sh"), 0xFED)));

        Assert.Equal(0x1ED, Zips.Read(await BitsTests.DownloadAsync(http, app))["run.sh"].Mode & 0xFFF);
    }

    [Fact]
    public async Task InstancesMemoryAndTextAreBoundedWhereTheyEnterAndNothingStoredChanges()
    {
        using var http = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(await fixture.Admin());
        var app = await AppsTests.NewAppAsync(http, space);
        var before = await (await http.GetAsync($"/v2/apps/{app}")).Content.ReadAsStringAsync();

        await (await http.PutJsonAsync($"/v2/apps/{app}", new { instances = 20_000_000 })).V2ErrorAsync(HttpStatusCode.BadRequest, 100001, "CF-AppInvalid");
        await (await http.PutJsonAsync($"/v2/apps/{app}", new { memory = 1_000_000_000 })).V2ErrorAsync(HttpStatusCode.BadRequest, 100006, "CF-AppMemoryInvalid");
        await (await http.PutJsonAsync($"/v2/apps/{app}", new { command = new string('c', 4097) })).V2ErrorAsync(HttpStatusCode.BadRequest, 100001, "CF-AppInvalid");
        await (await http.PutJsonAsync($"/v2/apps/{app}", new { name = new string('n', 256) })).V2ErrorAsync(HttpStatusCode.BadRequest, 100001, "CF-AppInvalid");
        Assert.Equal(before, await (await http.GetAsync($"/v2/apps/{app}")).Content.ReadAsStringAsync());

        await (await http.PostJsonAsync("/v2/apps", new { name = new string('n', 256), space_guid = space })).V2ErrorAsync(HttpStatusCode.BadRequest, 100001, "CF-AppInvalid");
        await (await http.PostJsonAsync("/v3/apps", new { name = new string('n', 256), relationships = new { space = new { guid = space } } }))
            .V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        var longest = await (await http.PostJsonAsync("/v2/apps", new { name = new string('n', 255), space_guid = space, instances = 1000 })).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(1000, longest.GetProperty("entity").GetProperty("instances").GetInt32());
    }

    [Fact]
    public async Task OnlyTheCanonicalGuidSpellingNamesAResource()
    {
        using var http = await fixture.As("writer");
        var app = Guid.Parse(await AppsTests.NewAppAsync(http, await AppsTests.NewSpaceAsync(await fixture.Admin())));

        await (await http.GetAsync($"/v2/apps/{app:D}")).JsonAsync(HttpStatusCode.OK);
        foreach (var spelling in new[] { app.ToString("N"), app.ToString("B"), app.ToString("D").ToUpperInvariant() })
        {
            await (await http.GetAsync($"/v2/apps/{spelling}")).V2ErrorAsync(HttpStatusCode.NotFound, 100004, "CF-AppNotFound");
            await (await http.GetAsync($"/v3/apps/{spelling}")).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ResourceNotFound");
        }
    }

    [Fact]
    public async Task OverLongRequestLinesAndHeadersAreCfErrors()
    {
        using var http = await fixture.As("reader");

        await (await http.GetAsync($"/v2/apps?q=name:{new string('a', 9000)}")).V2ErrorAsync(HttpStatusCode.RequestUriTooLong, 10004, "CF-InvalidRequest");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v3/apps");
        request.Headers.Add("X-Padding", new string('p', 40_000));
        await (await http.SendAsync(request)).V3ErrorAsync(HttpStatusCode.RequestHeaderFieldsTooLarge, 10004, "CF-InvalidRequest");
    }

    [Theory]
    [InlineData("invalid-utf8")]
    [InlineData("lone-surrogate")]
    public async Task UndecodableJsonTextIsAParseErrorAndCreatesNothing(string kind)
    {
        using var http = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(await fixture.Admin());
        var body = kind == "invalid-utf8"
            ? [.. System.Text.Encoding.ASCII.GetBytes("{\"name\":\""), 0xFF, 0xFE, .. System.Text.Encoding.ASCII.GetBytes($"\",\"space_guid\":\"{space}\"}}")]
            : System.Text.Encoding.ASCII.GetBytes($"{{\"name\":\"\\ud800\",\"space_guid\":\"{space}\"}}");

        await (await http.PostAsync("/v2/apps", new ByteArrayContent(body))).V2ErrorAsync(HttpStatusCode.BadRequest, 1001, "CF-MessageParseError");
        using var admin = await fixture.Admin();
        await (await admin.PostAsync("/v2/organizations", new ByteArrayContent(body))).V2ErrorAsync(HttpStatusCode.BadRequest, 1001, "CF-MessageParseError");
        var apps = await (await http.GetAsync($"/v2/spaces/{space}/apps")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(0, apps.GetProperty("total_results").GetInt32());
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("no-final-boundary")]
    [InlineData("huge-part-headers")]
    public async Task MalformedMultipartBitsAreUploadErrorsAndLeaveNothingBehind(string kind)
    {
        using var http = await fixture.As("writer");
        var app = await AppsTests.NewAppAsync(http, await AppsTests.NewSpaceAsync(await fixture.Admin()));
        var uploadsBefore = await fixture.BlobNamesAsync(BlobContainers.Uploads);
        var part = "--b\r\nContent-Disposition: form-data; name=\"resources\"\r\n\r\n[]\r\n";
        var body = kind switch
        {
            "truncated" => part + "--b\r\nContent-Disposition: form-data; name=\"application\"; filename=\"a.zip\"\r\n\r\nPK\u0003\u0004",
            "no-final-boundary" => part,
            _ => $"--b\r\nContent-Disposition: form-data; name=\"resources\"\r\nX-Pad: {new string('x', 20_000)}\r\n\r\n[]\r\n--b--\r\n",
        };
        var content = new StringContent(body);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b");

        await (await http.PutAsync($"/v2/apps/{app}/bits", content)).V2ErrorAsync(HttpStatusCode.BadRequest, 160001, "CF-AppBitsUploadInvalid");
        await NoNewUploadsAsync(uploadsBefore);
    }

    [Fact]
    public async Task AnOverLimitTokenFormIsAnOAuthError()
    {
        using var http = fixture.Anonymous();
        var fields = Enumerable.Range(0, 2000).Select(i => new KeyValuePair<string, string>($"f{i}", "x"))
            .Append(new("grant_type", "password")).Append(new("username", "admin")).Append(new("password", "admin"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/token") { Content = new FormUrlEncodedContent(fields) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", "Y2Y6");

        var error = await (await http.SendAsync(request)).JsonAsync(HttpStatusCode.BadRequest);
        Assert.Equal("invalid_request", error.GetProperty("error").GetString());
    }

    [Fact]
    public async Task FiveWrongPasswordsLockTheUserNameAsUaaDoes()
    {
        using var http = fixture.Anonymous();
        for (var i = 1; i <= 5; i++)
        {
            var wrong = await PasswordGrantAsync(http, "lockme", "wrong");
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            var description = (await wrong.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error_description").GetString();
            Assert.Equal(i < 5 ? "Bad credentials" : "Your account has been locked because of too many failed attempts to login.", description);
        }

        var right = await PasswordGrantAsync(http, "lockme", "lockme-pw");
        Assert.Equal(HttpStatusCode.Unauthorized, right.StatusCode);
        Assert.Contains("locked", await right.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await PasswordGrantAsync(http, "reader", "reader-pw")).StatusCode);
    }

    [Fact]
    public async Task AFingerprintFloodIsRefusedCheaplyAndDoesNotHoldUpAnotherAppsUpload()
    {
        using var http = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(await fixture.Admin());
        var (flooder, other) = (await AppsTests.NewAppAsync(http, space, "flooder"), await AppsTests.NewAppAsync(http, space, "other"));
        object[] Unknown(int count) => [.. Enumerable.Range(0, count).Select(i => new { fn = $"f{i}.bin", size = 70_000, sha1 = Zips.Sha1(BitConverter.GetBytes(i + count)), mode = "644" })];
        var zip = Zips.Create(("a.txt", Zips.Text("a"), 0x1A4));

        var jobs = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var job = await (await http.PutAsync($"/v2/apps/{flooder}/bits?async=true", Zips.Bits(Unknown(9_000), zip))).JsonAsync(HttpStatusCode.Created);
            jobs.Add(job.GetProperty("metadata").GetProperty("url").GetString()!);
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await BitsTests.Upload201Async(http, other, [], Zips.Create(("index.html", Zips.Text("hello"), 0x1A4)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"another app's small upload took {clock.Elapsed} during the flood");

        foreach (var job in jobs)
        {
            var failed = await BitsTests.PollAsync(http, job, expect: "failed");
            Assert.Contains("is not in the resource cache", failed.GetProperty("entity").GetProperty("error_details").GetProperty("description").GetString(), StringComparison.Ordinal);
        }

        var tooMany = await (await http.PutAsync($"/v2/apps/{flooder}/bits", Zips.Bits(Unknown(10_001), zip))).V2ErrorAsync(HttpStatusCode.BadRequest, 160001, "CF-AppBitsUploadInvalid");
        Assert.Contains("at most 10000", tooMany.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAppDeletedRightAfterAnAsyncUploadLeavesNoPackageOrUploadBehind()
    {
        using var http = await fixture.As("writer");
        var app = await AppsTests.NewAppAsync(http, await AppsTests.NewSpaceAsync(await fixture.Admin()));
        var zip = Zips.Create(("big.bin", Zips.Random(3 * 1024 * 1024), 0x1A4), ("index.html", Zips.Text("x"), 0x1A4));
        var uploadsBefore = await fixture.BlobNamesAsync(BlobContainers.Uploads);

        var job = (await (await http.PutAsync($"/v2/apps/{app}/bits?async=true", Zips.Bits([], zip))).JsonAsync(HttpStatusCode.Created))
            .GetProperty("metadata");
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/v2/apps/{app}")).StatusCode);
        await BitsTests.PollAsync(http, job.GetProperty("url").GetString()!);

        Assert.DoesNotContain(job.GetProperty("guid").GetString()!, await fixture.BlobNamesAsync(BlobContainers.Packages));
        await NoNewUploadsAsync(uploadsBefore);
    }

    /// <summary>Nothing stays in the uploads container beyond what was there (other suites' uploads come and go meanwhile).</summary>
    private async Task NoNewUploadsAsync(List<string> before)
    {
        await Eventually.ValueAsync("no upload left behind", async () => (await fixture.BlobNamesAsync(BlobContainers.Uploads)).Except(before).ToList(),
            left => left.Count == 0, TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData("{\"aud\":[1],\"scope\":[\"cloud_controller.read\"]}")]
    [InlineData("{\"aud\":[\"cloud_controller\"],\"scope\":[\"cloud_controller.read\"],\"user_name\":{\"x\":1}}")]
    [InlineData("{\"aud\":[\"cloud_controller\"],\"scope\":[7],\"token_use\":5}")]
    public async Task ASignedTokenWithUnexpectedClaimTypesIsAnInvalidToken(string claims)
    {
        using var http = fixture.Anonymous();
        // The same signing with well-typed claims is accepted: what fails below is the claims' types, not the signature.
        http.DefaultRequestHeaders.Authorization = new("bearer", Signed("{\"aud\":[\"cloud_controller\"],\"scope\":[\"cloud_controller.read\"],\"user_name\":\"x\"}"));
        await (await http.GetAsync("/v2/apps")).JsonAsync(HttpStatusCode.OK);

        http.DefaultRequestHeaders.Authorization = new("bearer", Signed(claims));
        await (await http.GetAsync("/v2/apps")).V2ErrorAsync(HttpStatusCode.Unauthorized, 1000, "CF-InvalidAuthToken");
    }

    private string Signed(string claims)
    {
        var payload = System.Text.Json.Nodes.JsonNode.Parse(claims)!.AsObject();
        payload["iss"] = "cloud-controller-uaa";
        payload["exp"] = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds();
        payload["client_id"] = "cf";
        static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var signingInput = $"{Encode(System.Text.Encoding.UTF8.GetBytes("{\"alg\":\"RS256\",\"typ\":\"JWT\"}"))}.{Encode(System.Text.Encoding.UTF8.GetBytes(payload.ToJsonString()))}";
        var signature = fixture.TokenKey.SignData(System.Text.Encoding.ASCII.GetBytes(signingInput), System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        return $"{signingInput}.{Encode(signature)}";
    }

    private static Task<HttpResponseMessage> PasswordGrantAsync(HttpClient http, string user, string password)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "password", ["username"] = user, ["password"] = password }),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", "Y2Y6");
        return http.SendAsync(request);
    }

    private static async Task<List<string>> MatchedAsync(HttpClient http, params byte[][] files)
    {
        var request = files.Select(f => new { sha1 = Zips.Sha1(f), size = f.Length }).ToArray();
        var matched = await (await http.PutAsync("/v2/resource_match", HttpAssertions.Json(request))).JsonAsync(HttpStatusCode.OK);
        return [.. matched.EnumerateArray().Select(m => m.GetProperty("sha1").GetString()!)];
    }
}
