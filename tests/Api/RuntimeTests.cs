using System.Net;
using System.Text;
using System.Text.Json;
using CloudController.Grains.Indexes;
using CloudController.GrainInterfaces.Indexes;
using CloudController.Grains.Runtime;
using CloudController.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CloudController.Tests.Api;

/// <summary>Started apps on the simulated runtime: instances, stats, restarts, crashes, logs and convergence after a silo restart.</summary>
[Collection(ApiTier2.Name)]
public sealed class RuntimeTests(CloudControllerFixture fixture)
{
    [Fact]
    public async Task AStartedAppsInstancesGoFromStartingToRunningAndScale()
    {
        using var http = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(await fixture.Admin());
        var app = await StartedAppAsync(http, space, "runner");

        var instances = await WaitForAsync(http, app, 1, "RUNNING");
        Assert.True(instances.GetProperty("0").GetProperty("since").GetDouble() > 0);
        var stats = await (await http.GetAsync($"/v2/apps/{app}/stats")).JsonAsync(HttpStatusCode.OK);
        var first = stats.GetProperty("0");
        Assert.Equal("RUNNING", first.GetProperty("state").GetString());
        Assert.Equal(256L * 1024 * 1024, first.GetProperty("stats").GetProperty("mem_quota").GetInt64());
        Assert.Equal(0, first.GetProperty("stats").GetProperty("usage").GetProperty("mem").GetInt64());

        await (await http.PutJsonAsync($"/v2/apps/{app}", new { instances = 3 })).JsonAsync(HttpStatusCode.Created);
        var v3 = await (await http.GetAsync($"/v3/processes/{app}/stats")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(3, v3.GetProperty("resources").GetArrayLength());
        await WaitForAsync(http, app, 3, "RUNNING");
        var summary = await (await http.GetAsync($"/v2/spaces/{space}/summary")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(3, summary.GetProperty("apps")[0].GetProperty("running_instances").GetInt32());

        // Restarting one instance: it starts again, the others keep running.
        await (await http.DeleteAsync($"/v2/apps/{app}/instances/1")).JsonAsync(HttpStatusCode.NoContent);
        var restarted = await (await http.GetAsync($"/v2/apps/{app}/instances")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("STARTING", restarted.GetProperty("1").GetProperty("state").GetString());
        Assert.Equal("RUNNING", restarted.GetProperty("0").GetProperty("state").GetString());
        await (await http.DeleteAsync($"/v2/apps/{app}/instances/7")).V2ErrorAsync(HttpStatusCode.BadRequest, 220001, "CF-InstancesError");
        await (await http.DeleteAsync($"/v3/processes/{app}/instances/7")).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ResourceNotFound");

        await (await http.PutJsonAsync($"/v2/apps/{app}", new { state = "STOPPED" })).JsonAsync(HttpStatusCode.Created);
        await (await http.GetAsync($"/v2/apps/{app}/instances")).V2ErrorAsync(HttpStatusCode.BadRequest, 220001, "CF-InstancesError");
        await (await http.GetAsync($"/v2/apps/{app}/stats")).V2ErrorAsync(HttpStatusCode.BadRequest, 200003, "CF-AppStoppedStatsError");
        var down = await (await http.GetAsync($"/v3/processes/{app}/stats")).JsonAsync(HttpStatusCode.OK);
        Assert.All(down.GetProperty("resources").EnumerateArray(), r => Assert.Equal("DOWN", r.GetProperty("state").GetString()));
    }

    [Fact]
    public async Task AnAppAskedToCrashCrashesIsRestartedAndLeavesEventsAndLogs()
    {
        using var http = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(await fixture.Admin());
        var app = await StartedAppAsync(http, space, "crashy", new { SIMULATED_RUNTIME_CRASH = "true" });

        await WaitForAsync(http, app, 1, "CRASHED");
        var events = await Eventually.ValueAsync("the crash event", async () => await (await http.GetAsync($"/v2/events?q=actee:{app}&q=type:app.crash")).JsonAsync(HttpStatusCode.OK),
            json => json.GetProperty("total_results").GetInt32() > 0, TimeSpan.FromSeconds(10));

        var crash = events.GetProperty("resources")[0].GetProperty("entity");
        Assert.Equal("CRASHED", crash.GetProperty("metadata").GetProperty("reason").GetString());
        Assert.Equal(0, crash.GetProperty("metadata").GetProperty("index").GetInt32());
        var lines = await LogsAsync(http, app);
        Assert.Contains(lines, l => l.Source == "APP/PROC/WEB" && l.Type == "ERR" && l.Text.Contains("Exited with status 1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LogCacheServesStagingAndRuntimeLinesToThoseWhoMayReadTheApp()
    {
        using var http = await fixture.As("writer");
        using var stranger = await fixture.As("reader");
        using var anonymous = fixture.Api.CreateClient();
        var space = await OrganizationsAndSpacesTests.CreateBareSpaceAsync(await fixture.Admin(), await AuthTests.CreateOrgAsync(await fixture.Admin()), "logs");
        using var admin = await fixture.Admin();
        var app = await StartedAppAsync(admin, space, "logged");
        await WaitForAsync(admin, app, 1, "RUNNING");

        var root = await (await anonymous.GetAsync("/")).JsonAsync(HttpStatusCode.OK);
        Assert.StartsWith("http", root.GetProperty("links").GetProperty("log_cache").GetProperty("href").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/v1/read/{app}")).StatusCode);
        var info = await (await admin.GetAsync("/api/v1/info")).JsonAsync(HttpStatusCode.OK);
        Assert.StartsWith("2.", info.GetProperty("version").GetString(), StringComparison.Ordinal);

        var lines = await LogsAsync(admin, app);
        Assert.Contains(lines, l => l.Source == "STG" && l.Text == "Staging complete");
        Assert.Contains(lines, l => l.Source == "STG" && l.Text.StartsWith("Buildpack: ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Source == "CELL" && l.Text.Contains("Creating container for instance 0", StringComparison.Ordinal));
        var descending = lines.Select(l => l.Timestamp).ToList();
        Assert.Equal(descending.OrderByDescending(t => t), descending);

        var newest = await (await admin.GetAsync($"/api/v1/read/{app}?limit=1&descending=true")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, newest.GetProperty("envelopes").GetProperty("batch").GetArrayLength());
        var after = long.Parse(newest.GetProperty("envelopes").GetProperty("batch")[0].GetProperty("timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture) + 1;
        var none = await (await admin.GetAsync($"/api/v1/read/{app}?start_time={after}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(0, none.GetProperty("envelopes").GetProperty("batch").GetArrayLength());
        var gauges = await (await admin.GetAsync($"/api/v1/read/{app}?envelope_types=GAUGE")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(0, gauges.GetProperty("envelopes").GetProperty("batch").GetArrayLength());

        await (await stranger.GetAsync($"/api/v1/read/{app}")).V2ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");
        await (await admin.GetAsync($"/api/v1/read/{app}?limit=5000")).V2ErrorAsync(HttpStatusCode.BadRequest, 10005, "CF-BadQueryParameter");
        await (await admin.GetAsync($"/api/v1/read/{Guid.NewGuid()}")).V2ErrorAsync(HttpStatusCode.NotFound, 100004, "CF-AppNotFound");
        _ = http;
    }

    /// <summary>
    /// After the silo restarts, nobody asks about the app, yet the new silo's runtime runs it again: the convergence
    /// pass at start desired it (with a new <c>since</c>).
    /// </summary>
    [Fact]
    public async Task StartedAppsRunAgainAfterASiloRestartWithoutAnyoneAsking()
    {
        using var http = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(await fixture.Admin());
        var app = await StartedAppAsync(http, space, "survivor");
        var before = (await WaitForAsync(http, app, 1, "RUNNING")).GetProperty("0").GetProperty("since").GetDouble();

        await fixture.RestartSiloAsync();
        var runtime = fixture.Silo.Services.GetRequiredService<IAppRuntime>();
        var guid = Guid.Parse(app);
        var report = await Eventually.ValueAsync("the app running again after the restart", () => runtime.ReportAsync(guid, "web", CancellationToken.None),
            r => r.Running > 0);

        Assert.Equal(1, report.Running);
        Assert.True(report.Instances[0].Since.ToUnixTimeMilliseconds() / 1000.0 > before);
    }

    /// <summary>
    /// A started app whose catalog entry has no tags (stored before entries carried <c>state:STARTED</c>) is found by the
    /// one-time visit of untagged entries at the next start: it runs again, and its entry is tagged for later passes.
    /// </summary>
    [Fact]
    public async Task AStartedAppWithAnUntaggedCatalogEntryRunsAgainAfterARestartAndIsTagged()
    {
        using var http = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(await fixture.Admin());
        var app = await StartedAppAsync(http, space, "legacy");
        await WaitForAsync(http, app, 1, "RUNNING");
        var guid = Guid.Parse(app);
        var byGuid = new IndexQuery([], [guid], [], IndexOrder.Id, false, 1, 10);
        var catalog = fixture.Silo.Services.GetRequiredService<IGrainFactory>().GetGrain<IResourceIndexGrain>(IndexKeys.Catalog(IndexKeys.Apps, guid));
        var entry = Assert.Single((await catalog.QueryAsync(byGuid)).Entries);
        Assert.Contains(IndexEntry.Tag("state", "STARTED"), entry.TagsOrEmpty);
        await catalog.PutAsync(entry with { Tags = [] });
        var states = fixture.Blobs.GetBlobContainerClient(fixture.GrainStateContainer);
        await foreach (var blob in states.GetBlobsAsync())
        {
            if (blob.Name.Contains("runtime-convergence", StringComparison.Ordinal))
            {
                await states.DeleteBlobAsync(blob.Name);
            }
        }

        await fixture.RestartSiloAsync();
        var runtime = fixture.Silo.Services.GetRequiredService<IAppRuntime>();
        var report = await Eventually.ValueAsync("the app running again after the restart", () => runtime.ReportAsync(guid, "web", CancellationToken.None),
            r => r.Running > 0);

        Assert.Equal(1, report.Running);
        catalog = fixture.Silo.Services.GetRequiredService<IGrainFactory>().GetGrain<IResourceIndexGrain>(IndexKeys.Catalog(IndexKeys.Apps, guid));
        Assert.Contains(IndexEntry.Tag("state", "STARTED"), Assert.Single((await catalog.QueryAsync(byGuid)).Entries).TagsOrEmpty);
    }

    [Fact]
    public async Task V3ProcessesScaleAndUpdateWithinTheQuota()
    {
        using var admin = await fixture.Admin();
        using var http = await fixture.As("writer");
        var org = await OrgWithMemoryLimitAsync(admin, 1024);
        var space = await OrganizationsAndSpacesTests.CreateSpaceAsync(admin, org, "space");
        var app = await StartedAppAsync(http, space, "proc");

        var scaled = await (await http.PostJsonAsync($"/v3/processes/{app}/actions/scale", new { instances = 2, memory_in_mb = 128 })).JsonAsync(HttpStatusCode.Accepted);
        Assert.Equal(2, scaled.GetProperty("instances").GetInt32());
        Assert.Equal(128, scaled.GetProperty("memory_in_mb").GetInt32());
        await WaitForAsync(http, app, 2, "RUNNING");
        var tooMuch = await (await http.PostJsonAsync($"/v3/apps/{app}/processes/web/actions/scale", new { instances = 9 }))
            .V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        Assert.Contains("quota", tooMuch.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await (await http.PostJsonAsync($"/v3/processes/{app}/actions/scale", new { instances = -1 })).V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        await (await http.PostJsonAsync($"/v3/processes/{app}/actions/scale", new { colour = "red" })).V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        await (await http.PostJsonAsync($"/v3/apps/{app}/processes/worker/actions/scale", new { instances = 1 })).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ProcessNotFound");
        await (await http.PostJsonAsync($"/v3/processes/{Guid.NewGuid()}/actions/scale", new { instances = 1 })).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ProcessNotFound");
        await (await http.GetAsync("/v3/processes/not-a-guid")).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ProcessNotFound");
        Assert.Equal(2, (await BitsTests.EntityAsync(http, app)).GetProperty("instances").GetInt32());

        var patched = await (await http.PatchAsync($"/v3/processes/{app}", HttpAssertions.Json(new { command = "./serve", health_check = new { type = "process", data = new { timeout = 30 } } })))
            .JsonAsync(HttpStatusCode.OK);
        Assert.Equal("./serve", patched.GetProperty("command").GetString());
        Assert.Equal("process", patched.GetProperty("health_check").GetProperty("type").GetString());
        await (await http.PatchAsync($"/v3/processes/{app}", HttpAssertions.Json(new { health_check = "yes" }))).V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        var list = await (await http.GetAsync($"/v3/processes?app_guids={app}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(app, list.GetProperty("resources")[0].GetProperty("guid").GetString());
        var workers = await (await http.GetAsync($"/v3/processes?types=worker&app_guids={app}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(0, workers.GetProperty("resources").GetArrayLength());
    }

    /// <summary>
    /// A Procfile's other types become processes after staging (0 instances, default memory, a process health check),
    /// found by their own guid, scaled within the quota next to web, run by the runtime, and gone with their type.
    /// </summary>
    [Fact]
    public async Task AProcfilesOtherTypesBecomeProcessesThatScaleRunAndGoWithTheirType()
    {
        using var admin = await fixture.Admin();
        using var http = await fixture.As("writer");
        using var stranger = await fixture.As("reader");
        var org = await OrgWithMemoryLimitAsync(admin, 1024);
        var space = await OrganizationsAndSpacesTests.CreateBareSpaceAsync(admin, org, "space");
        await OrganizationsAndSpacesTests.GrantAsync(admin, org, space, "writer", "developers");
        var app = await StartedAppAsync(http, space, "typed", files: ("Procfile", Zips.Text("web: ./serve\nworker: ./work\n"), 420));

        var processes = (await (await http.GetAsync($"/v3/apps/{app}/processes")).JsonAsync(HttpStatusCode.OK)).GetProperty("resources");
        Assert.Equal(["web", "worker"], processes.EnumerateArray().Select(p => p.GetProperty("type").GetString()));
        Assert.Equal((app, "./serve"), (processes[0].GetProperty("guid").GetString(), processes[0].GetProperty("command").GetString()));
        var worker = processes[1];
        var workerGuid = worker.GetProperty("guid").GetString()!;
        Assert.NotEqual(app, workerGuid);
        Assert.Equal((0, 1024, "./work", "process"), (worker.GetProperty("instances").GetInt32(), worker.GetProperty("memory_in_mb").GetInt32(),
            worker.GetProperty("command").GetString(), worker.GetProperty("health_check").GetProperty("type").GetString()));
        Assert.Equal(workerGuid, (await (await http.GetAsync($"/v3/apps/{app}/processes/worker")).JsonAsync(HttpStatusCode.OK)).GetProperty("guid").GetString());
        Assert.Equal("worker", (await (await http.GetAsync($"/v3/processes/{workerGuid}")).JsonAsync(HttpStatusCode.OK)).GetProperty("type").GetString());
        var droplet = await (await http.GetAsync($"/v3/apps/{app}/droplets/current")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("./work", droplet.GetProperty("result").GetProperty("process_types").GetProperty("worker").GetString());
        Assert.Equal(0, (await (await http.GetAsync($"/v3/processes/{workerGuid}/stats")).JsonAsync(HttpStatusCode.OK)).GetProperty("resources").GetArrayLength());
        await (await stranger.GetAsync($"/v3/processes/{workerGuid}")).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ProcessNotFound");

        // Scaled next to web (256 MB) within the org's 1,024 MB: the runtime runs two worker instances.
        var scaled = await (await http.PostJsonAsync($"/v3/processes/{workerGuid}/actions/scale", new { instances = 2, memory_in_mb = 256 })).JsonAsync(HttpStatusCode.Accepted);
        Assert.Equal(("worker", 2), (scaled.GetProperty("type").GetString(), scaled.GetProperty("instances").GetInt32()));
        await WaitForStatsAsync(http, workerGuid, 2, "RUNNING");
        await (await http.DeleteAsync($"/v3/apps/{app}/processes/worker/instances/1")).JsonAsync(HttpStatusCode.NoContent);
        var restarted = (await (await http.GetAsync($"/v3/apps/{app}/processes/worker/stats")).JsonAsync(HttpStatusCode.OK)).GetProperty("resources");
        Assert.Equal(("worker", "RUNNING", "STARTING"), (restarted[1].GetProperty("type").GetString(), restarted[0].GetProperty("state").GetString(),
            restarted[1].GetProperty("state").GetString()));
        await WaitForStatsAsync(http, workerGuid, 2, "RUNNING");
        await (await http.PostJsonAsync($"/v3/apps/{app}/processes/worker/actions/scale", new { instances = 4 }))
            .V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        await (await http.PostJsonAsync($"/v3/processes/{workerGuid}/actions/scale", new { memory_in_mb = 0 }))
            .V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        Assert.Equal(2, (await (await http.GetAsync($"/v3/processes/{workerGuid}")).JsonAsync(HttpStatusCode.OK)).GetProperty("instances").GetInt32());
        Assert.Equal(1, (await (await http.GetAsync($"/v2/apps/{app}")).JsonAsync(HttpStatusCode.OK)).GetProperty("entity").GetProperty("instances").GetInt32());
        var lines = await LogsAsync(http, app);
        Assert.Contains(lines, l => l.Source == "CELL" && l.Text.Contains("instance 1 of typed process worker", StringComparison.Ordinal));

        var patched = await (await http.PatchAsync($"/v3/processes/{workerGuid}", HttpAssertions.Json(new { command = "./work --fast" }))).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("./work --fast", patched.GetProperty("command").GetString());
        var reset = await (await http.PatchAsync($"/v3/processes/{workerGuid}", new StringContent("{\"command\":null}", Encoding.UTF8, "application/json"))).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("./work", reset.GetProperty("command").GetString());
        var checkedByHttp = await (await http.PatchAsync($"/v3/processes/{workerGuid}", HttpAssertions.Json(new { health_check = new { type = "http", data = new { endpoint = "/health", timeout = 10 } } })))
            .JsonAsync(HttpStatusCode.OK);
        Assert.Equal(("http", "/health", 10), (checkedByHttp.GetProperty("health_check").GetProperty("type").GetString(),
            checkedByHttp.GetProperty("health_check").GetProperty("data").GetProperty("endpoint").GetString(),
            checkedByHttp.GetProperty("health_check").GetProperty("data").GetProperty("timeout").GetInt32()));
        await (await http.PatchAsync($"/v3/processes/{workerGuid}", HttpAssertions.Json(new { health_check = new { type = "http", data = new { endpoint = "health" } } })))
            .V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");

        // v2's health_check_* are the web process's.
        var v2Http = await (await http.PutJsonAsync($"/v2/apps/{app}", new { health_check_type = "http", health_check_http_endpoint = "/ready" })).JsonAsync(HttpStatusCode.Created);
        Assert.Equal("/ready", v2Http.GetProperty("entity").GetProperty("health_check_http_endpoint").GetString());
        var web = await (await http.GetAsync($"/v3/apps/{app}/processes/web")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("/ready", web.GetProperty("health_check").GetProperty("data").GetProperty("endpoint").GetString());
        await (await http.PutJsonAsync($"/v2/apps/{app}", new { health_check_http_endpoint = "no path" })).V2ErrorAsync(HttpStatusCode.BadRequest, 100001, "CF-AppInvalid");

        var listed = await (await http.GetAsync($"/v3/processes?app_guids={app}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(2, listed.GetProperty("pagination").GetProperty("total_results").GetInt32());
        var byGuid = await (await http.GetAsync($"/v3/processes?guids={workerGuid}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("worker", Assert.Single(byGuid.GetProperty("resources").EnumerateArray()).GetProperty("type").GetString());
        var webOnly = await (await http.GetAsync($"/v3/processes?types=web&app_guids={app}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(app, Assert.Single(webOnly.GetProperty("resources").EnumerateArray()).GetProperty("guid").GetString());

        // New bits without the worker: after restaging it is gone, stopped, and its memory is free again.
        await BitsTests.Upload201Async(http, app, [], Zips.Create(("index.html", Zips.Text("v2"), 420), ("Procfile", Zips.Text("web: ./serve\n"), 420)));
        await (await http.PostAsync($"/v2/apps/{app}/restage", null)).JsonAsync(HttpStatusCode.Created);
        await StagingTests.WaitForStagingAsync(http, app);
        var after = (await (await http.GetAsync($"/v3/apps/{app}/processes")).JsonAsync(HttpStatusCode.OK)).GetProperty("resources");
        Assert.Equal(["web"], after.EnumerateArray().Select(p => p.GetProperty("type").GetString()));
        await (await http.GetAsync($"/v3/processes/{workerGuid}")).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ProcessNotFound");
        var runtime = fixture.Silo.Services.GetRequiredService<IAppRuntime>();
        Assert.Empty((await runtime.ReportAsync(Guid.Parse(app), "worker", CancellationToken.None)).Instances);
        await (await http.PostJsonAsync($"/v3/processes/{app}/actions/scale", new { instances = 3 })).JsonAsync(HttpStatusCode.Accepted);
    }

    /// <summary>A new organization whose quota allows <paramref name="memoryLimit"/> MB in all; the guid.</summary>
    private static async Task<string> OrgWithMemoryLimitAsync(HttpClient admin, long memoryLimit)
    {
        var quota = await (await admin.PostJsonAsync("/v2/quota_definitions", new
        {
            name = $"q-{Guid.NewGuid():N}", non_basic_services_allowed = true, total_services = 1, total_routes = 10, memory_limit = memoryLimit,
        })).JsonAsync(HttpStatusCode.Created);
        var org = await (await admin.PostJsonAsync("/v2/organizations", new { name = $"o-{Guid.NewGuid():N}", quota_definition_guid = quota.GetProperty("metadata").GetProperty("guid").GetString() }))
            .JsonAsync(HttpStatusCode.Created);
        return org.GetProperty("metadata").GetProperty("guid").GetString()!;
    }

    internal static async Task<string> StartedAppAsync(HttpClient http, string space, string name, object? environment = null,
        params (string Name, byte[] Content, int Mode)[] files)
    {
        var json = await (await http.PostJsonAsync("/v2/apps", new { name, space_guid = space, memory = 256, environment_json = environment ?? new { } }))
            .JsonAsync(HttpStatusCode.Created);
        var app = json.GetProperty("metadata").GetProperty("guid").GetString()!;
        await BitsTests.Upload201Async(http, app, [], Zips.Create([("index.html", Zips.Text("hello"), 420), .. files]));
        await (await http.PutJsonAsync($"/v2/apps/{app}", new { state = "STARTED" })).JsonAsync(HttpStatusCode.Created);
        await StagingTests.WaitForStagingAsync(http, app);
        return app;
    }

    /// <summary>Polls <c>/v2/apps/:guid/instances</c> until <paramref name="count"/> instances are in <paramref name="state"/>.</summary>
    private static async Task<JsonElement> WaitForAsync(HttpClient http, string app, int count, string state)
    {
        return await Eventually.ValueAsync($"{count} {state} instances", async () => await (await http.GetAsync($"/v2/apps/{app}/instances")).JsonAsync(HttpStatusCode.OK),
            instances => instances.EnumerateObject().Count(p => p.Value.GetProperty("state").GetString() == state) == count, TimeSpan.FromSeconds(20));
    }

    /// <summary>Polls <c>/v3/processes/:guid/stats</c> until <paramref name="count"/> instances are in <paramref name="state"/>.</summary>
    private static async Task WaitForStatsAsync(HttpClient http, string process, int count, string state)
    {
        await Eventually.ValueAsync($"{count} {state} instances", async () => await (await http.GetAsync($"/v3/processes/{process}/stats")).JsonAsync(HttpStatusCode.OK),
            stats => stats.GetProperty("resources").EnumerateArray().Count(r => r.GetProperty("state").GetString() == state) == count, TimeSpan.FromSeconds(20));
    }

    private static async Task<List<(string Source, string Type, string Text, long Timestamp)>> LogsAsync(HttpClient http, string app)
    {
        var read = await (await http.GetAsync($"/api/v1/read/{app}?limit=1000&envelope_types=LOG&descending=true")).JsonAsync(HttpStatusCode.OK);
        return [.. read.GetProperty("envelopes").GetProperty("batch").EnumerateArray().Select(e => (
            e.GetProperty("tags").GetProperty("source_type").GetString()!,
            e.GetProperty("log").GetProperty("type").GetString()!,
            Encoding.UTF8.GetString(Convert.FromBase64String(e.GetProperty("log").GetProperty("payload").GetString()!)),
            long.Parse(e.GetProperty("timestamp").GetString()!, System.Globalization.CultureInfo.InvariantCulture)))];
    }
}
