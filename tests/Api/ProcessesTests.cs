using System.Net;
using CloudController.Tests.Infrastructure;

namespace CloudController.Tests.Api;

/// <summary>The processes of an app (its web process is its v2 fields), their stats, the current droplet and the app's v2 routes: what cf push and cf app read.</summary>
[Collection(ApiTier3.Name)]
public sealed class ProcessesTests(CloudControllerFixture fixture)
{
    [Fact]
    public async Task AnAppsWebProcessIsItsV2FieldsUnderTheAppsGuid()
    {
        using var http = await fixture.As("writer");
        var app = await AppsTests.NewAppAsync(http, await AppsTests.NewSpaceAsync(await fixture.Admin()));
        await (await http.PutJsonAsync($"/v2/apps/{app}", new { instances = 3, memory = 256, disk_quota = 512, command = "./run", health_check_type = "process" }))
            .JsonAsync(HttpStatusCode.Created);

        var list = await (await http.GetAsync($"/v3/apps/{app}/processes")).JsonAsync(HttpStatusCode.OK);
        var web = await (await http.GetAsync($"/v3/apps/{app}/processes/web")).JsonAsync(HttpStatusCode.OK);
        var byGuid = await (await http.GetAsync($"/v3/processes/{app}")).JsonAsync(HttpStatusCode.OK);
        var stats = await (await http.GetAsync($"/v3/processes/{app}/stats")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(1, list.GetProperty("pagination").GetProperty("total_results").GetInt32());
        Assert.Equal(web.GetRawText(), list.GetProperty("resources")[0].GetRawText());
        Assert.Equal(web.GetRawText(), byGuid.GetRawText());
        Assert.Equal(app, web.GetProperty("guid").GetString());
        Assert.Equal("web", web.GetProperty("type").GetString());
        Assert.Equal(3, web.GetProperty("instances").GetInt32());
        Assert.Equal(256, web.GetProperty("memory_in_mb").GetInt32());
        Assert.Equal(512, web.GetProperty("disk_in_mb").GetInt32());
        Assert.Equal("./run", web.GetProperty("command").GetString());
        Assert.Equal("process", web.GetProperty("health_check").GetProperty("type").GetString());
        var instances = stats.GetProperty("resources").EnumerateArray().ToList();
        Assert.Equal([0, 1, 2], instances.Select(i => i.GetProperty("index").GetInt32()));
        Assert.All(instances, i =>
        {
            Assert.Equal("DOWN", i.GetProperty("state").GetString());
            Assert.Equal(0, i.GetProperty("usage").GetProperty("mem").GetInt64());
            Assert.Equal(256L * 1024 * 1024, i.GetProperty("mem_quota").GetInt64());
            Assert.Equal(0, i.GetProperty("uptime").GetInt64());
        });
    }

    [Fact]
    public async Task UnknownProcessesDropletsAndAppsAreV3NotFounds()
    {
        using var http = await fixture.As("writer");
        var app = await AppsTests.NewAppAsync(http, await AppsTests.NewSpaceAsync(await fixture.Admin()));

        var worker = await (await http.GetAsync($"/v3/apps/{app}/processes/worker")).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ProcessNotFound");
        var droplet = await (await http.GetAsync($"/v3/apps/{app}/droplets/current")).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ResourceNotFound");
        await (await http.GetAsync($"/v3/processes/{Guid.NewGuid()}")).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ProcessNotFound");
        await (await http.GetAsync($"/v3/apps/{Guid.NewGuid()}/processes")).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ResourceNotFound");
        var none = await (await http.GetAsync($"/v3/apps/{app}/processes?types=worker")).JsonAsync(HttpStatusCode.OK);
        await (await http.GetAsync($"/v3/apps/{app}/processes?colour=red")).V3ErrorAsync(HttpStatusCode.BadRequest, 10005, "CF-BadQueryParameter");
        await (await http.GetAsync($"/v3/apps/not-a-guid/processes/web")).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ResourceNotFound");

        Assert.Equal("Process not found", worker.GetProperty("detail").GetString());
        Assert.Equal("Droplet not found", droplet.GetProperty("detail").GetString());
        Assert.Equal(0, none.GetProperty("pagination").GetProperty("total_results").GetInt32());
    }

    [Fact]
    public async Task TheCurrentDropletAndTheRoutesAreWhatTheAppHas()
    {
        using var http = await fixture.As("writer");
        var app = await new StagingTests(fixture).AppWithBitsAsync(http, ("index.html", "<p>"));
        await (await http.PutJsonAsync($"/v2/apps/{app}", new { state = "STARTED" })).JsonAsync(HttpStatusCode.Created);
        Assert.Equal("STAGED", (await StagingTests.WaitForStagingAsync(http, app)).GetProperty("package_state").GetString());

        var v3App = await (await http.GetAsync($"/v3/apps/{app}")).JsonAsync(HttpStatusCode.OK);
        var current = await (await http.GetAsync($"/v3/apps/{app}/droplets/current")).JsonAsync(HttpStatusCode.OK);
        var routes = await (await http.GetAsync($"/v2/apps/{app}/routes")).JsonAsync(HttpStatusCode.OK);
        var root = await (await fixture.Anonymous().GetAsync("/v3")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal("STARTED", v3App.GetProperty("state").GetString());
        Assert.Equal("STAGED", current.GetProperty("state").GetString());
        Assert.Equal(current.GetProperty("guid").GetString(), v3App.GetProperty("relationships").GetProperty("current_droplet").GetProperty("data").GetProperty("guid").GetString());
        Assert.Equal(0, routes.GetProperty("total_results").GetInt32());
        Assert.EndsWith("/v3/processes", root.GetProperty("links").GetProperty("processes").GetProperty("href").GetString(), StringComparison.Ordinal);
    }
}
