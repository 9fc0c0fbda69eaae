using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using CloudController.Grains.Indexes;
using CloudController.GrainInterfaces.Indexes;
using CloudController.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CloudController.Tests.Api;

/// <summary>State is in blob storage, not in activations: a new silo reads everything back.</summary>
[Collection(RestartTier.Name)]
public sealed class RestartTests(CloudControllerFixture fixture)
{
    [Fact]
    public async Task OrganizationsSpacesAndNameClaimsSurviveASiloRestart()
    {
        using var admin = await fixture.Admin();
        var name = $"durable-{Guid.NewGuid():N}";
        var org = await AuthTests.CreateOrgAsync(admin, name);
        var space = await OrganizationsAndSpacesTests.CreateSpaceAsync(admin, org, "dev");
        var before = await (await admin.GetAsync($"/v2/organizations/{org}")).Content.ReadAsStringAsync();

        await fixture.RestartSiloAsync();

        var after = await RetryUntilServedAsync(() => admin.GetAsync($"/v2/organizations/{org}"));
        Assert.Equal(before, await after.Content.ReadAsStringAsync());
        var spaces = await (await admin.GetAsync($"/v2/organizations/{org}/spaces")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(space, spaces.GetProperty("resources")[0].GetProperty("metadata").GetProperty("guid").GetString());
        await (await admin.PostJsonAsync("/v2/organizations", new { name })).V2ErrorAsync(HttpStatusCode.BadRequest, 30002, "CF-OrganizationNameTaken");
    }

    [Fact]
    public async Task AppsPackagesDropletsAndJobsSurviveASiloRestart()
    {
        using var http = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(await fixture.Admin());
        var staged = await AppsTests.NewAppAsync(http, space, "staged");
        await BitsTests.Upload201Async(http, staged, [], Zips.Create(("package.json", Zips.Text("{}"), 0x1A4)));
        await (await http.PutJsonAsync($"/v2/apps/{staged}", new { state = "STARTED" })).JsonAsync(HttpStatusCode.Created);
        await StagingTests.WaitForStagingAsync(http, staged);
        var empty = await AppsTests.NewAppAsync(http, space, "empty");
        var copy = await AppsTests.NewAppAsync(http, space, "copy");
        var failedJob = (await (await http.PostJsonAsync($"/v2/apps/{copy}/copy_bits", new { source_app_guid = empty })).JsonAsync(HttpStatusCode.Created))
            .GetProperty("metadata").GetProperty("url").GetString()!;
        await BitsTests.PollAsync(http, failedJob, expect: "failed");
        var before = await SnapshotAsync(http, staged, copy, failedJob, space);

        await fixture.RestartSiloAsync();
        await RetryUntilServedAsync(() => http.GetAsync($"/v2/apps/{staged}"));

        Assert.Equal(before, await SnapshotAsync(http, staged, copy, failedJob, space));
    }

    [Fact]
    public async Task WorkInFlightWhenTheSystemStopsCompletesAfterItStartsWithoutAnyonePolling()
    {
        using var http = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(await fixture.Admin());
        var zip = Zips.Create(("big.bin", RandomNumberGenerator.GetBytes(2 * 1024 * 1024), 0x1A4), ("package.json", Zips.Text("{}"), 0x1A4));
        var jobs = new Dictionary<string, string>();
        for (var i = 0; i < 12; i++)
        {
            var app = await AppsTests.NewAppAsync(http, space, $"inflight-{i}");
            var job = await (await http.PutAsync($"/v2/apps/{app}/bits?async=true", Zips.Bits([], zip))).JsonAsync(HttpStatusCode.Created);
            jobs[app] = job.GetProperty("metadata").GetProperty("url").GetString()!;
        }

        await fixture.Silo.StopAsync();
        List<string> interrupted;
        try
        {
            interrupted = await fixture.UnfinishedWorkAsync();
        }
        finally
        {
            await fixture.StartNewSiloAsync();
        }

        Assert.NotEmpty(interrupted);

        // Nobody asks for a job: their reminders bring them back, they finish, and the reminders go.
        await Eventually.HoldsAsync("every interrupted job finished", async () => (await fixture.UnfinishedWorkAsync()).Count == 0, TimeSpan.FromSeconds(60));
        foreach (var (app, job) in jobs)
        {
            var done = await (await http.GetAsync(job)).JsonAsync(HttpStatusCode.OK);
            Assert.Equal("finished", done.GetProperty("entity").GetProperty("status").GetString());
            Assert.NotEqual(JsonValueKind.Null, (await BitsTests.EntityAsync(http, app)).GetProperty("package_updated_at").ValueKind);
        }
    }

    [Fact]
    public async Task ANameClaimLeftByACreateThatNeverStoredIsTakenOver()
    {
        using var http = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(await fixture.Admin());
        // What a silo dying between the index claim and the app's first write leaves behind: a claim, no app.
        var orphan = new IndexEntry(Guid.NewGuid(), "orphaned", IndexKeys.Scope(Guid.Parse(space)), DateTimeOffset.UtcNow, []);
        var grains = fixture.Silo.Services.GetRequiredService<IGrainFactory>();
        Assert.Null(await grains.GetGrain<IResourceIndexGrain>(IndexKeys.AppsInSpace(Guid.Parse(space))).ClaimAsync(orphan));

        var created = await (await http.PostJsonAsync("/v2/apps", new { name = "orphaned", space_guid = space })).JsonAsync(HttpStatusCode.Created);
        Assert.NotEqual(orphan.Guid.ToString(), created.GetProperty("metadata").GetProperty("guid").GetString());
        await (await http.PostJsonAsync("/v2/apps", new { name = "orphaned", space_guid = space }))
            .V2ErrorAsync(HttpStatusCode.BadRequest, 100002, "CF-AppNameTaken");
    }

    private static async Task<string> SnapshotAsync(HttpClient http, string staged, string copy, string job, string space)
    {
        var parts = new List<string>();
        foreach (var url in new[]
        {
            $"/v2/apps/{staged}", $"/v2/apps/{copy}", job, $"/v2/spaces/{space}/apps", $"/v2/spaces/{space}",
            $"/v3/apps/{staged}", $"/v3/apps/{staged}/packages", $"/v3/apps/{staged}/droplets", $"/v3/apps/{staged}/droplets/current",
        })
        {
            parts.Add(await (await http.GetAsync(url)).Content.ReadAsStringAsync());
        }

        parts.Add(Convert.ToHexString(await BitsTests.DownloadAsync(http, staged)));
        return string.Join('\n', parts);
    }

    // The api's Orleans client reconnects to the new silo's gateway on its own; give it a bounded moment.
    private static async Task<HttpResponseMessage> RetryUntilServedAsync(Func<Task<HttpResponseMessage>> send)
    {
        var response = await Eventually.ValueAsync("served again", send, r => r.StatusCode != HttpStatusCode.ServiceUnavailable);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response;
    }
}
