using System.Net;
using System.Text.Json;
using CloudController.Tests.Infrastructure;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace CloudController.Tests.Api;

/// <summary>
/// Who may do what, through the real pipeline: an organization with one space where "dev" is a space developer,
/// "aud" a space auditor and "mgr" the org manager, a stranger with no role, and a second organization the others
/// do not belong to. Every refusal must leave the resource exactly as it was (read back as admin).
/// </summary>
[Collection(ApiTier3.Name)]
public sealed class AccessTests(CloudControllerFixture fixture)
{
    [Fact]
    public async Task AStrangerGetsV2NotAuthorizedAndV3NotFoundAndChangesNothing()
    {
        var world = await WorldAsync();
        using var stranger = await world.ClientAsync("stranger");
        var before = await world.SnapshotAsync();

        foreach (var (method, url, body) in V2Routes(world))
        {
            await (await SendAsync(stranger, method, url, body)).V2ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");
        }

        foreach (var (method, url, body) in V3Routes(world))
        {
            // A process is named by its own guid: its not-found is titled for it (issue 15), with ResourceNotFound's code.
            await (await SendAsync(stranger, method, url, body)).V3ErrorAsync(HttpStatusCode.NotFound, 10010,
                url.StartsWith("/v3/processes/", StringComparison.Ordinal) ? "CF-ProcessNotFound" : "CF-ResourceNotFound");
        }

        var build = await (await stranger.GetAsync($"/v3/builds/{world.Droplet}")).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ResourceNotFound");
        Assert.Equal("Build not found", build.GetProperty("detail").GetString());

        Assert.Equal(before, await world.SnapshotAsync());
    }

    [Fact]
    public async Task ASpaceAuditorReadsButEveryWriteIsNotAuthorized()
    {
        var world = await WorldAsync();
        using var auditor = await world.ClientAsync("aud");
        var before = await world.SnapshotAsync();

        await (await auditor.GetAsync($"/v2/apps/{world.App}")).JsonAsync(HttpStatusCode.OK);
        await (await auditor.GetAsync($"/v3/apps/{world.App}")).JsonAsync(HttpStatusCode.OK);
        await (await auditor.GetAsync($"/v3/packages/{world.Package}")).JsonAsync(HttpStatusCode.OK);
        await (await auditor.GetAsync($"/v3/droplets/{world.Droplet}")).JsonAsync(HttpStatusCode.OK);
        foreach (var (method, url, body) in V2Routes(world).Where(r => r.Method != HttpMethod.Get || r.Url.EndsWith("/download", StringComparison.Ordinal) || r.Url.EndsWith("/env", StringComparison.Ordinal)))
        {
            await (await SendAsync(auditor, method, url, body)).V2ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");
        }

        foreach (var (method, url, body) in V3Routes(world).Where(r => r.Method != HttpMethod.Get || r.Url.EndsWith("/download", StringComparison.Ordinal) || r.Url.EndsWith("/env", StringComparison.Ordinal)))
        {
            await (await SendAsync(auditor, method, url, body)).V3ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");
        }

        Assert.Equal(before, await world.SnapshotAsync());
    }

    [Fact]
    public async Task AdminReadOnlyReadsEverythingAndCannotWrite()
    {
        var world = await WorldAsync();
        using var readOnly = await fixture.As("auditor");
        var before = await world.SnapshotAsync();

        await (await readOnly.GetAsync($"/v2/apps/{world.App}")).JsonAsync(HttpStatusCode.OK);
        await (await readOnly.GetAsync($"/v3/apps/{world.App}/env")).JsonAsync(HttpStatusCode.OK);
        Assert.Contains(world.App, Guids(await (await readOnly.GetAsync("/v3/apps?per_page=5000")).JsonAsync(HttpStatusCode.OK), v3: true));
        await (await readOnly.PutJsonAsync($"/v2/apps/{world.App}", new { name = "taken" })).V2ErrorAsync(HttpStatusCode.Forbidden, 10007, "CF-InsufficientScope");
        await (await readOnly.PatchAsync($"/v3/apps/{world.App}", HttpAssertions.Json(new { name = "taken" }))).V3ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");
        await (await readOnly.DeleteAsync($"/v3/packages/{world.Package}")).V3ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");

        Assert.Equal(before, await world.SnapshotAsync());
    }

    [Fact]
    public async Task ListsNeverShowForeignResources()
    {
        var world = await WorldAsync();
        using var dev = await world.ClientAsync("dev");
        using var stranger = await world.ClientAsync("stranger");
        var mine = await AppsTests.NewAppAsync(dev, world.Space, "mine");

        var v2Apps = Guids(await (await dev.GetAsync("/v2/apps?results-per-page=100")).JsonAsync(HttpStatusCode.OK), v3: false);
        var v3Apps = Guids(await (await dev.GetAsync("/v3/apps?per_page=100")).JsonAsync(HttpStatusCode.OK), v3: true);
        var byForeignSpace = Guids(await (await dev.GetAsync($"/v3/apps?space_guids={world.ForeignSpace}")).JsonAsync(HttpStatusCode.OK), v3: true);
        var spaces = Guids(await (await dev.GetAsync("/v2/spaces")).JsonAsync(HttpStatusCode.OK), v3: false);
        var orgs = Guids(await (await dev.GetAsync("/v3/organizations")).JsonAsync(HttpStatusCode.OK), v3: true);
        var packages = Guids(await (await dev.GetAsync("/v3/packages")).JsonAsync(HttpStatusCode.OK), v3: true);
        var droplets = Guids(await (await dev.GetAsync("/v3/droplets")).JsonAsync(HttpStatusCode.OK), v3: true);

        Assert.Equal(new[] { world.App, mine }.Order(), v2Apps.Order());
        Assert.Equal(v2Apps.Order(), v3Apps.Order());
        Assert.Empty(byForeignSpace);
        Assert.Equal([world.Space], spaces);
        Assert.Equal([world.Org], orgs);
        var foreignPackages = Guids(await (await world.Admin.GetAsync($"/v3/apps/{world.ForeignApp}/packages")).JsonAsync(HttpStatusCode.OK), v3: true);
        Assert.Contains(world.Package, packages);
        Assert.NotEmpty(foreignPackages);
        Assert.Empty(packages.Intersect(foreignPackages));
        Assert.Equal([world.Droplet], droplets);
        foreach (var list in new[] { "/v2/apps", "/v3/apps", "/v2/spaces", "/v3/spaces", "/v2/organizations", "/v3/organizations", "/v3/packages", "/v3/droplets" })
        {
            var json = await (await stranger.GetAsync(list)).JsonAsync(HttpStatusCode.OK);
            Assert.Equal(0, (json.TryGetProperty("pagination", out var p) ? p : json).GetProperty("total_results").GetInt32());
        }
    }

    [Fact]
    public async Task ADeveloperWorksInItsSpaceAndCopiesOnlyFromAppsItDevelops()
    {
        var world = await WorldAsync();
        using var dev = await world.ClientAsync("dev");
        var app = await AppsTests.NewAppAsync(dev, world.Space, "pushed");

        await (await dev.PutJsonAsync($"/v2/apps/{app}", new { memory = 256 })).JsonAsync(HttpStatusCode.Created);
        await BitsTests.Upload201Async(dev, app, [], Zips.Create(("index.html", Zips.Text("<p>"), 0x1A4)));
        var copy = await (await dev.PostJsonAsync($"/v2/apps/{app}/copy_bits", new { source_app_guid = world.App })).JsonAsync(HttpStatusCode.Created);
        await (await dev.PostJsonAsync($"/v2/apps/{app}/copy_bits", new { source_app_guid = world.ForeignApp })).V2ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");
        await (await dev.PostJsonAsync("/v2/apps", new { name = "elsewhere", space_guid = world.ForeignSpace })).V2ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");
        await (await dev.PutJsonAsync($"/v2/apps/{app}", new { space_guid = world.ForeignSpace })).V2ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");
        await (await dev.PostJsonAsync("/v3/apps", new { name = "v3-elsewhere", relationships = new { space = new { guid = world.ForeignSpace } } }))
            .V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ResourceNotFound");
        await (await dev.PutJsonAsync($"/v2/spaces/{world.Space}", new { name = "renamed" })).V2ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");

        Assert.Equal("finished", (await BitsTests.PollAsync(dev, copy.GetProperty("metadata").GetProperty("url").GetString()!)).GetProperty("entity").GetProperty("status").GetString());
        Assert.Equal(world.Space, (await BitsTests.EntityAsync(world.Admin, app)).GetProperty("space_guid").GetString());
    }

    [Fact]
    public async Task JobsAreReadOnlyByWhoStartedThem()
    {
        var world = await WorldAsync();
        using var dev = await world.ClientAsync("dev");
        using var auditor = await world.ClientAsync("aud");
        var upload = await (await dev.PutAsync($"/v2/apps/{world.App}/bits?async=true", Zips.Bits([], Zips.Create(("a.txt", Zips.Text("a"), 0x1A4)))))
            .JsonAsync(HttpStatusCode.Created);
        var job = upload.GetProperty("metadata").GetProperty("url").GetString()!;

        await BitsTests.PollAsync(dev, job, "finished");
        await (await auditor.GetAsync(job)).V2ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");
        await (await (await fixture.Admin()).GetAsync(job)).JsonAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AnOrgManagerSeesItsSpacesRenamesThemAndAssignsRolesButDoesNotDevelop()
    {
        var world = await WorldAsync();
        using var manager = await world.ClientAsync("mgr");

        Assert.Equal([world.Space], Guids(await (await manager.GetAsync($"/v2/organizations/{world.Org}/spaces")).JsonAsync(HttpStatusCode.OK), v3: false));
        await (await manager.PutJsonAsync($"/v2/spaces/{world.Space}", new { name = "renamed" })).JsonAsync(HttpStatusCode.Created);
        var created = await (await manager.PostJsonAsync("/v2/spaces", new { name = "second", organization_guid = world.Org })).JsonAsync(HttpStatusCode.Created);
        await (await manager.PutJsonAsync($"/v2/spaces/{world.Space}/auditors", new { username = world.Names["stranger"] })).V2ErrorAsync(HttpStatusCode.BadRequest, 1002, "CF-InvalidRelation");
        await (await manager.PutJsonAsync($"/v2/organizations/{world.Org}/users", new { username = world.Names["stranger"] })).JsonAsync(HttpStatusCode.Created);
        await (await manager.PutJsonAsync($"/v2/spaces/{world.Space}/auditors", new { username = world.Names["stranger"] })).JsonAsync(HttpStatusCode.Created);
        await (await manager.PostJsonAsync("/v2/apps", new { name = "no", space_guid = world.Space })).V2ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");
        await (await manager.PostJsonAsync("/v2/spaces", new { name = "theirs", organization_guid = world.ForeignOrg })).V2ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");
        await (await manager.PutJsonAsync($"/v2/organizations/{world.Org}", new { quota_definition_guid = Guid.NewGuid() })).V2ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");

        using var stranger = await world.ClientAsync("stranger");
        await (await stranger.GetAsync($"/v2/apps/{world.App}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(
            new[] { world.Space, created.GetProperty("metadata").GetProperty("guid").GetString()! }.Order(),
            Guids(await (await manager.GetAsync("/v3/spaces")).JsonAsync(HttpStatusCode.OK), v3: true).Order());
    }

    [Fact]
    public async Task OnlyDevelopersAndAdminsSeeEnvironmentVariablesOthersGetCfsRedaction()
    {
        var world = await WorldAsync();
        using var dev = await world.ClientAsync("dev");
        using var auditor = await world.ClientAsync("aud");
        using var global = await fixture.As("globalauditor");
        using var readOnly = await fixture.As("auditor");

        foreach (var (who, sees) in new[] { (dev, true), (readOnly, true), (world.Admin, true), (auditor, false), (global, false) })
        {
            var v2 = (await (await who.GetAsync($"/v2/apps/{world.App}")).JsonAsync(HttpStatusCode.OK)).GetProperty("entity").GetProperty("environment_json");
            var v3 = (await (await who.GetAsync($"/v3/apps/{world.App}")).JsonAsync(HttpStatusCode.OK)).GetProperty("environment_variables");
            var listed = (await (await who.GetAsync($"/v2/spaces/{world.Space}/apps")).JsonAsync(HttpStatusCode.OK))
                .GetProperty("resources")[0].GetProperty("entity").GetProperty("environment_json");
            var summary = (await (await who.GetAsync($"/v2/apps/{world.App}/summary")).JsonAsync(HttpStatusCode.OK)).GetProperty("environment_json");
            foreach (var env in new[] { v2, v3, listed, summary })
            {
                Assert.Equal(sees ? "s3cret" : "[PRIVATE DATA HIDDEN]", env.GetProperty(sees ? "SECRET" : "redacted_message").GetString());
            }
        }

        await (await global.GetAsync($"/v3/apps/{world.App}/env")).V3ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");
        await (await global.PutJsonAsync($"/v2/apps/{world.App}", new { name = "x" })).V2ErrorAsync(HttpStatusCode.Forbidden, 10007, "CF-InsufficientScope");
    }

    /// <summary>
    /// Deleting a space revokes its members' roles in their user grains while those users' access checks wait on the
    /// space's grain: the checks must not hold the user grains (that was a deadlock until Orleans' 30 s timeout).
    /// </summary>
    [Fact]
    public async Task DeletingASpaceWhileItsDeveloperReadsItFinishesPromptly()
    {
        var world = await WorldAsync();
        using var dev = await world.ClientAsync("dev");
        using var stop = new CancellationTokenSource();
        var reads = 0;
        var readers = Enumerable.Range(0, 16).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await dev.GetAsync($"/v2/spaces/{world.Space}");
                Interlocked.Increment(ref reads);
                Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Forbidden or HttpStatusCode.NotFound, $"got {(int)response.StatusCode}");
            }
        }).ToList();
        await Eventually.HoldsAsync("the readers under way", () => Task.FromResult(Volatile.Read(ref reads) >= 32));

        // The readers keep reading until the delete has answered: a delete starved by them would never answer (and the
        // client's timeout would fail the test).
        var deleted = await world.Admin.DeleteAsync($"/v2/spaces/{world.Space}?recursive=true");
        await stop.CancelAsync();
        await Task.WhenAll(readers);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
    }

    /// <summary>
    /// The read-decision memory (<c>CloudController:Access:ReadDecisionSeconds</c>, 1 s) on an API of this system whose
    /// clock the test moves: a read allowed just before the role went is still served for up to 1 s, and refused after.
    /// </summary>
    [Fact]
    public async Task LosingARoleStopsWritesAtOnceAndReadsOnceTheirOneSecondMemoryLapses()
    {
        var world = await WorldAsync();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var api = fixture.Api.WithWebHostBuilder(web => web.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(clock)));
        using var dev = api.CreateClient();
        using (var token = await world.ClientAsync("dev"))
        {
            dev.DefaultRequestHeaders.Authorization = token.DefaultRequestHeaders.Authorization;
        }

        await (await dev.GetAsync($"/v2/apps/{world.App}")).JsonAsync(HttpStatusCode.OK);
        using var revoke = new HttpRequestMessage(HttpMethod.Delete, $"/v2/spaces/{world.Space}/developers") { Content = HttpAssertions.Json(new { username = world.Names["dev"] }) };
        Assert.Equal(HttpStatusCode.NoContent, (await world.Admin.SendAsync(revoke)).StatusCode);

        await (await dev.PutJsonAsync($"/v2/apps/{world.App}", new { instances = 2 })).V2ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");
        await (await dev.GetAsync($"/v2/apps/{world.App}")).JsonAsync(HttpStatusCode.OK);
        clock.Advance(TimeSpan.FromMilliseconds(990));
        await (await dev.GetAsync($"/v2/apps/{world.App}")).JsonAsync(HttpStatusCode.OK);

        clock.Advance(TimeSpan.FromMilliseconds(20));
        await (await dev.GetAsync($"/v2/apps/{world.App}")).V2ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");
        await (await dev.GetAsync($"/v3/apps/{world.App}")).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ResourceNotFound");
    }

    /// <summary>Authorization lives in one place only if no route can forget it: each declares its resource, or why it names none.</summary>
    [Fact]
    public void EveryCloudControllerRouteDeclaresItsGuard()
    {
        var endpoints = fixture.Api.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && (raw.StartsWith("/v2/", StringComparison.Ordinal) || raw.StartsWith("/v3/", StringComparison.Ordinal)))
            .ToList();

        var undeclared = endpoints
            .Where(e => e.Metadata.GetMetadata<CloudController.Api.Auth.CfGuardMetadata>() is null
                && e.Metadata.GetMetadata<CloudController.Api.Auth.CfUnguardedMetadata>() is null
                && e.Metadata.GetMetadata<CloudController.Api.Auth.CfAccessMetadata>()?.Access != CloudController.Api.Auth.CfAccess.Anonymous)
            .Select(e => e.RoutePattern.RawText)
            .ToList();
        var guardsWithoutTheirValue = endpoints
            .Where(e => e.Metadata.GetMetadata<CloudController.Api.Auth.CfGuardMetadata>() is { } guard && e.RoutePattern.GetParameter(guard.RouteValue) is null)
            .Select(e => e.RoutePattern.RawText)
            .ToList();

        Assert.True(endpoints.Count > 60, $"only {endpoints.Count} routes found");
        Assert.Empty(undeclared);
        Assert.Empty(guardsWithoutTheirValue);
    }

    /// <summary>Every v2 route that names the world's app, space or job; none may answer a stranger.</summary>
    private static IEnumerable<(HttpMethod Method, string Url, object? Body)> V2Routes(World w) =>
    [
        (HttpMethod.Get, $"/v2/apps/{w.App}", null),
        (HttpMethod.Put, $"/v2/apps/{w.App}", new { name = "renamed", instances = 3 }),
        (HttpMethod.Delete, $"/v2/apps/{w.App}", null),
        (HttpMethod.Post, $"/v2/apps/{w.App}/restage", null),
        (HttpMethod.Get, $"/v2/apps/{w.App}/summary", null),
        (HttpMethod.Get, $"/v2/apps/{w.App}/instances", null),
        (HttpMethod.Get, $"/v2/apps/{w.App}/stats", null),
        (HttpMethod.Put, $"/v2/apps/{w.App}/bits", "bits"),
        (HttpMethod.Get, $"/v2/apps/{w.App}/download", null),
        (HttpMethod.Get, $"/v2/apps/{w.App}/routes", null),
        (HttpMethod.Get, $"/v2/apps/{w.App}/env", null),
        (HttpMethod.Post, $"/v2/apps/{w.App}/copy_bits", new { source_app_guid = w.App }),
        (HttpMethod.Post, "/v2/apps", new { name = "intruder", space_guid = w.Space }),
        (HttpMethod.Get, $"/v2/spaces/{w.Space}", null),
        (HttpMethod.Get, $"/v2/spaces/{w.Space}/apps", null),
        (HttpMethod.Get, $"/v2/spaces/{w.Space}/summary", null),
        (HttpMethod.Put, $"/v2/spaces/{w.Space}", new { name = "taken-over" }),
        (HttpMethod.Delete, $"/v2/spaces/{w.Space}", null),
        (HttpMethod.Put, $"/v2/spaces/{w.Space}/developers", new { username = "writer" }),
        (HttpMethod.Get, $"/v2/organizations/{w.Org}", null),
        (HttpMethod.Get, $"/v2/organizations/{w.Org}/spaces", null),
        (HttpMethod.Put, $"/v2/organizations/{w.Org}/managers", new { username = "writer" }),
        (HttpMethod.Post, "/v2/spaces", new { name = "intruder", organization_guid = w.Org }),
        (HttpMethod.Get, w.Job, null),
    ];

    /// <summary>Every v3 route that names the world's app, package or droplet.</summary>
    private static IEnumerable<(HttpMethod Method, string Url, object? Body)> V3Routes(World w) =>
    [
        (HttpMethod.Get, $"/v3/apps/{w.App}", null),
        (HttpMethod.Patch, $"/v3/apps/{w.App}", new { name = "renamed" }),
        (HttpMethod.Delete, $"/v3/apps/{w.App}", null),
        (HttpMethod.Put, $"/v3/apps/{w.App}/start", null),
        (HttpMethod.Put, $"/v3/apps/{w.App}/stop", null),
        (HttpMethod.Get, $"/v3/apps/{w.App}/env", null),
        (HttpMethod.Get, $"/v3/apps/{w.App}/packages", null),
        (HttpMethod.Post, $"/v3/apps/{w.App}/packages", new { type = "bits" }),
        (HttpMethod.Get, $"/v3/apps/{w.App}/droplets", null),
        (HttpMethod.Get, $"/v3/apps/{w.App}/droplets/current", null),
        (HttpMethod.Get, $"/v3/apps/{w.App}/processes", null),
        (HttpMethod.Get, $"/v3/apps/{w.App}/processes/web", null),
        (HttpMethod.Get, $"/v3/processes/{w.App}", null),
        (HttpMethod.Get, $"/v3/processes/{w.App}/stats", null),
        (HttpMethod.Put, $"/v3/apps/{w.App}/current_droplet", new { droplet_guid = w.Droplet }),
        (HttpMethod.Post, "/v3/packages", new { type = "bits", relationships = new { app = new { guid = w.App } } }),
        (HttpMethod.Get, $"/v3/packages/{w.Package}", null),
        (HttpMethod.Post, $"/v3/packages/{w.Package}/upload", "v3bits"),
        (HttpMethod.Get, $"/v3/packages/{w.Package}/download", null),
        (HttpMethod.Delete, $"/v3/packages/{w.Package}", null),
        (HttpMethod.Get, $"/v3/packages/{w.Package}/droplets", null),
        (HttpMethod.Post, $"/v3/packages/{w.Package}/droplets", new { }),
        (HttpMethod.Post, "/v3/builds", new { package = new { guid = w.Package } }),
        (HttpMethod.Get, $"/v3/droplets/{w.Droplet}", null),
        (HttpMethod.Delete, $"/v3/droplets/{w.Droplet}", null),
        (HttpMethod.Get, $"/v3/builds/{w.Droplet}", null),
        (HttpMethod.Get, $"/v3/spaces/{w.Space}", null),
        (HttpMethod.Get, $"/v3/organizations/{w.Org}", null),
    ];

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string url, object? body)
    {
        var request = new HttpRequestMessage(method, url)
        {
            Content = body switch
            {
                null => null,
                "bits" => Zips.Bits([], Zips.Create(("x.txt", Zips.Text("x"), 0x1A4))),
                "v3bits" => PackagesTests.Bits(Zips.Create(("x.txt", Zips.Text("x"), 0x1A4))),
                _ => HttpAssertions.Json(body),
            },
        };
        return http.SendAsync(request);
    }

    private static List<string> Guids(JsonElement page, bool v3) =>
        [.. page.GetProperty("resources").EnumerateArray().Select(r => (v3 ? r.GetProperty("guid") : r.GetProperty("metadata").GetProperty("guid")).GetString()!)];

    /// <summary>Builds the world as admin: roles, an app with a READY package, a STAGED droplet and an upload job.</summary>
    private async Task<World> WorldAsync()
    {
        var admin = await fixture.Admin();
        var org = await AuthTests.CreateOrgAsync(admin);
        var space = await OrganizationsAndSpacesTests.CreateBareSpaceAsync(admin, org, "work");
        var foreignOrg = await AuthTests.CreateOrgAsync(admin);
        var foreignSpace = await OrganizationsAndSpacesTests.CreateBareSpaceAsync(admin, foreignOrg, "theirs");
        var names = new Dictionary<string, string>();
        foreach (var who in new[] { "dev", "aud", "mgr", "stranger" })
        {
            names[who] = $"{who}-{Guid.NewGuid():N}";
            await (await admin.PostJsonAsync("/Users", new { userName = names[who], password = "pw" })).JsonAsync(HttpStatusCode.Created);
        }

        await OrganizationsAndSpacesTests.GrantAsync(admin, org, space, names["dev"], "developers");
        await OrganizationsAndSpacesTests.GrantAsync(admin, org, space, names["aud"], "auditors");
        await (await admin.PutJsonAsync($"/v2/organizations/{org}/managers", new { username = names["mgr"] })).JsonAsync(HttpStatusCode.Created);

        var app = await AppsTests.NewAppAsync(admin, space, "theirs");
        await (await admin.PutJsonAsync($"/v2/apps/{app}", new { environment_json = new { SECRET = "s3cret" } })).JsonAsync(HttpStatusCode.Created);
        var foreignApp = await AppsTests.NewAppAsync(admin, foreignSpace, "foreign");
        await BitsTests.Upload201Async(admin, foreignApp, [], Zips.Create(("index.html", Zips.Text("<p>"), 0x1A4)));
        await PackagesTests.NewBitsPackageAsync(admin, foreignApp);
        var job = (await (await admin.PutAsync($"/v2/apps/{app}/bits?async=true", Zips.Bits([], Zips.Create(("index.html", Zips.Text("<p>"), 0x1A4)))))
            .JsonAsync(HttpStatusCode.Created)).GetProperty("metadata").GetProperty("url").GetString()!;
        await BitsTests.PollAsync(admin, job, "finished");
        var package = await PackagesTests.NewBitsPackageAsync(admin, app);
        await (await admin.PostAsync($"/v3/packages/{package}/upload", PackagesTests.Bits(Zips.Create(("index.html", Zips.Text("<p>"), 0x1A4))))).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("READY", (await PackagesTests.WaitAsync(admin, package)).GetProperty("state").GetString());
        var droplet = (await (await admin.PostAsync($"/v3/packages/{package}/droplets", null)).JsonAsync(HttpStatusCode.Created)).GetProperty("guid").GetString()!;
        await Eventually.ValueAsync("the droplet staged", async () => await (await admin.GetAsync($"/v3/droplets/{droplet}")).JsonAsync(HttpStatusCode.OK),
            json => json.GetProperty("state").GetString() != "STAGING");

        return new World(fixture, admin, org, space, foreignOrg, foreignSpace, app, foreignApp, package, droplet, job, names);
    }

    private sealed record World(
        CloudControllerFixture Fixture, HttpClient Admin, string Org, string Space, string ForeignOrg, string ForeignSpace,
        string App, string ForeignApp, string Package, string Droplet, string Job, Dictionary<string, string> Names)
    {
        public async Task<HttpClient> ClientAsync(string who)
        {
            var http = Fixture.Anonymous();
            http.DefaultRequestHeaders.Authorization = new("bearer", await CloudControllerFixture.PasswordGrantAsync(http, Names[who], "pw"));
            return http;
        }

        /// <summary>What admin reads of everything the world holds (timestamps included: any write would change them).</summary>
        public async Task<string> SnapshotAsync()
        {
            var parts = new List<string>();
            foreach (var url in new[]
            {
                $"/v2/apps/{App}", $"/v3/packages/{Package}", $"/v3/droplets/{Droplet}", $"/v2/spaces/{Space}", $"/v2/organizations/{Org}",
                $"/v2/spaces/{Space}/developers", $"/v2/spaces/{Space}/auditors", $"/v2/organizations/{Org}/managers", $"/v3/apps/{App}/packages",
            })
            {
                parts.Add(await (await Admin.GetAsync(url)).Content.ReadAsStringAsync());
            }

            var bits = await Admin.GetAsync($"/v2/apps/{App}/download");
            parts.Add(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(await bits.Content.ReadAsByteArrayAsync())));
            return string.Join('\n', parts);
        }
    }
}
