using System.Net;
using System.Text.Json;
using CloudController.Tests.Infrastructure;

namespace CloudController.Tests.Api;

/// <summary>App usage events: STARTED, BUILDPACK_SET and STOPPED with each change, oldest first, after_guid paging, v2 and v3 shapes, readers only, an admin's purge and reseed.</summary>
[Collection(ApiTier4.Name)]
public sealed class UsageEventsTests(CloudControllerFixture fixture)
{
    [Fact]
    public async Task StartingAndStoppingAnAppLeaveUsageEventsInOrder()
    {
        using var admin = await fixture.Admin();
        using var writer = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(admin);
        // Usage event guids are time-ordered: one made a moment before is a bound after which this test's events come.
        var since = Guid.CreateVersion7(DateTimeOffset.UtcNow.AddSeconds(-1));
        var app = (await (await writer.PostJsonAsync("/v2/apps", new { name = "billed", space_guid = space, memory = 128, instances = 2 }))
            .JsonAsync(HttpStatusCode.Created)).GetProperty("metadata").GetProperty("guid").GetString()!;
        await BitsTests.Upload201Async(writer, app, [], Zips.Create(("index.html", Zips.Text("billed"), 420)));
        await (await writer.PutJsonAsync($"/v2/apps/{app}", new { state = "STARTED" })).JsonAsync(HttpStatusCode.Created);
        await Eventually.ValueAsync("the app staged", () => BitsTests.EntityAsync(writer, app), e => e.GetProperty("package_state").GetString() == "STAGED");
        await (await writer.PutJsonAsync($"/v2/apps/{app}", new { instances = 3 })).JsonAsync(HttpStatusCode.Created);
        await (await writer.PutJsonAsync($"/v2/apps/{app}", new { state = "STOPPED" })).JsonAsync(HttpStatusCode.Created);

        var v2 = await Eventually.ValueAsync("three usage events", async () => Of(await (await admin.GetAsync($"/v2/app_usage_events?after_guid={since}&results-per-page=100"))
            .JsonAsync(HttpStatusCode.OK), app), e => e.Count == 3);
        // Started, then the staging's droplet set the buildpack, then stopped.
        var (started, buildpack, stopped) = (v2[0].GetProperty("entity"), v2[1].GetProperty("entity"), v2[2].GetProperty("entity"));
        Assert.Equal(("BUILDPACK_SET", "staticfile_buildpack"), (buildpack.GetProperty("state").GetString(), buildpack.GetProperty("buildpack_name").GetString()));
        Assert.Equal(("STARTED", "STOPPED"), (started.GetProperty("state").GetString(), started.GetProperty("previous_state").GetString()));
        Assert.Equal(2, started.GetProperty("instance_count").GetInt32());
        Assert.Equal(128, started.GetProperty("memory_in_mb_per_instance").GetInt32());
        Assert.Equal(("STOPPED", 3, 3), (stopped.GetProperty("state").GetString(), stopped.GetProperty("previous_instance_count").GetInt32(),
            stopped.GetProperty("instance_count").GetInt32()));
        Assert.Equal("billed", stopped.GetProperty("app_name").GetString());
        Assert.Equal(space, stopped.GetProperty("space_guid").GetString());

        // after_guid the STARTED event: only what came after it.
        var first = v2[1].GetProperty("metadata").GetProperty("guid").GetString();
        var after = Of(await (await admin.GetAsync($"/v2/app_usage_events?after_guid={first}")).JsonAsync(HttpStatusCode.OK), app);
        Assert.Equal("STOPPED", Assert.Single(after).GetProperty("entity").GetProperty("state").GetString());

        var v3 = await (await admin.GetAsync($"/v3/app_usage_events?after_guid={since}&per_page=5000")).JsonAsync(HttpStatusCode.OK);
        var mine = v3.GetProperty("resources").EnumerateArray().Where(r => r.GetProperty("app").GetProperty("guid").GetString() == app).ToList();
        Assert.Equal(["STARTED", "BUILDPACK_SET", "STOPPED"], mine.Select(r => r.GetProperty("state").GetProperty("current").GetString()));
        Assert.Equal(3, mine[2].GetProperty("instance_count").GetProperty("previous").GetInt32());
        var one = await (await admin.GetAsync($"/v3/app_usage_events/{mine[2].GetProperty("guid").GetString()}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(mine[2].GetRawText(), one.GetRawText());
        await (await admin.GetAsync($"/v3/app_usage_events/{Guid.NewGuid()}")).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ResourceNotFound");

        // Billing data is for platform-wide readers only; a malformed after_guid is the caller's mistake.
        await (await writer.GetAsync("/v3/app_usage_events")).V3ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");
        await (await admin.GetAsync("/v2/app_usage_events?after_guid=nope")).V2ErrorAsync(HttpStatusCode.BadRequest, 10005, "CF-BadQueryParameter");
    }

    [Fact]
    public async Task APurgeLeavesOneStartedEventPerStartedAppAndNothingElse()
    {
        using var admin = await fixture.Admin();
        using var writer = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(admin);
        var (running, stopped) = (await StartedAppAsync(writer, space, "reseeded"), await AppsTests.NewAppAsync(writer, space, "never-started"));
        await (await writer.PutJsonAsync($"/v2/apps/{running}", new { instances = 2 })).JsonAsync(HttpStatusCode.Created);

        await (await writer.PostAsync("/v3/app_usage_events/actions/destructively_purge_all_and_reseed", null)).V3ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/v3/app_usage_events/actions/destructively_purge_all_and_reseed", null)).StatusCode);

        var all = (await (await admin.GetAsync("/v3/app_usage_events?per_page=5000")).JsonAsync(HttpStatusCode.OK)).GetProperty("resources").EnumerateArray().ToList();
        Assert.All(all, e => Assert.Equal("STARTED", e.GetProperty("state").GetProperty("current").GetString()));
        var reseeded = Assert.Single(all, e => e.GetProperty("app").GetProperty("guid").GetString() == running);
        Assert.Equal(2, reseeded.GetProperty("instance_count").GetProperty("current").GetInt32());
        Assert.DoesNotContain(all, e => e.GetProperty("app").GetProperty("guid").GetString() == stopped);
        Assert.Equal(all.Count, all.Select(e => e.GetProperty("app").GetProperty("guid").GetString()).Distinct().Count());
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync("/v2/app_usage_events/destructively_purge_all_and_reseed_started_apps", null)).StatusCode);
    }

    private static async Task<string> StartedAppAsync(HttpClient writer, string space, string name)
    {
        var app = await AppsTests.NewAppAsync(writer, space, name);
        await BitsTests.Upload201Async(writer, app, [], Zips.Create(("index.html", Zips.Text(name), 420)));
        await (await writer.PutJsonAsync($"/v2/apps/{app}", new { state = "STARTED" })).JsonAsync(HttpStatusCode.Created);
        await Eventually.ValueAsync("the app staged", () => BitsTests.EntityAsync(writer, app), e => e.GetProperty("package_state").GetString() == "STAGED");
        return app;
    }

    private static List<JsonElement> Of(JsonElement page, string app) =>
        [.. page.GetProperty("resources").EnumerateArray().Where(r => r.GetProperty("entity").GetProperty("app_guid").GetString() == app)];
}
