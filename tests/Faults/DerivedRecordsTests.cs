using System.Net;
using System.Text.Json;
using CloudController.Tests.Api;
using CloudController.Tests.Infrastructure;

namespace CloudController.Tests.Faults;

/// <summary>A whole system whose storage faults tests inject, with the usage ledgers checking themselves every second.</summary>
public sealed class FaultsFixture() : CloudControllerFixture(
    new Dictionary<string, string?>
    {
        ["CloudController:Usage:CheckAfter"] = "00:00:01",
        ["CloudController:Usage:CheckEvery"] = "00:00:01",
    },
    configureSilo: null);

[CollectionDefinition(Name)]
public sealed class FaultsSuite : ICollectionFixture<FaultsFixture>
{
    public const string Name = "Faults";
}

/// <summary>
/// The stored state is the commit point: storage that fails or hangs between a store and the records derived from it
/// (catalog entries, audit events, usage reservations) neither fails the acknowledged change nor holds other changes
/// beyond their bounds, and the derived records catch up once storage answers again.
/// </summary>
[Collection(FaultsSuite.Name)]
public sealed class DerivedRecordsTests(FaultsFixture fixture)
{
    [Fact]
    public async Task ACatalogThatCannotBeWrittenStopsNoCreateAndCatchesUpWhenItCan()
    {
        using var admin = await fixture.Admin();
        var space = await AppsTests.NewSpaceAsync(admin);
        List<string> apps;
        using (var failing = fixture.Faults.Fail(StorageFaults.WritesTo("index-journal/catalog-apps/")))
        {
            apps = [.. await Task.WhenAll(Enumerable.Range(0, 5).Select(i => AppsTests.NewAppAsync(admin, space, $"cat-{i}")))];
            Assert.True(failing.Hits > 0, "the catalog was never written to");

            // The space's own index (claimed before each store) lists them; the catalog partitions keep answering reads.
            Assert.Equal(5, (await ListAsync(admin, $"/v2/apps?q=space_guid:{space}")).GetProperty("total_results").GetInt32());
            await (await admin.GetAsync("/v2/apps")).JsonAsync(HttpStatusCode.OK);
        }

        // Unfiltered v3 lists by guid read the catalog partitions: every app arrives there once they can be written.
        await Eventually.HoldsAsync("every app in its catalog partition", async () =>
            (await ListAsync(admin, $"/v3/apps?guids={string.Join(',', apps)}")).GetProperty("pagination").GetProperty("total_results").GetInt32() == 5);
    }

    /// <summary>
    /// The silo goes away after the store, before the catalog could be written, and nothing asks for the app again:
    /// the next silo's convergence pass sweeps the catalogs against the name indexes and the app is listed.
    /// </summary>
    [Fact]
    public async Task ACatalogEntryLostWithItsSiloIsSweptBackWithoutAnyoneAskingForTheApp()
    {
        using var admin = await fixture.Admin();
        var space = await AppsTests.NewSpaceAsync(admin);
        string app;
        using (fixture.Faults.Fail(StorageFaults.WritesTo("index-journal/catalog-apps/")))
        {
            app = await AppsTests.NewAppAsync(admin, space, "swept");
            await fixture.Silo.StopAsync();
        }

        await fixture.StartNewSiloAsync();
        await Eventually.HoldsAsync("the app in its catalog partition", async () =>
        {
            // The new silo may still be joining: a 503 asks the client to retry, as any CF client does.
            using var response = await admin.GetAsync($"/v3/apps?guids={app}");
            return response.StatusCode != HttpStatusCode.ServiceUnavailable
                && (await response.JsonAsync(HttpStatusCode.OK)).GetProperty("pagination").GetProperty("total_results").GetInt32() == 1;
        }, TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task AHungCatalogHoldsNoCreateAndItsEntryFollowsOnceItAnswers()
    {
        using var admin = await fixture.Admin();
        var space = await AppsTests.NewSpaceAsync(admin);
        string app;
        using (var hung = fixture.Faults.Hang(StorageFaults.WritesTo("index-journal/catalog-apps/")))
        {
            // Answered (201) while the catalog write hangs: the create waited for its derived records only briefly.
            app = await AppsTests.NewAppAsync(admin, space, "hung");
            await AppsTests.NewAppAsync(admin, await AppsTests.NewSpaceAsync(admin), "elsewhere");
            Assert.True(hung.Hits > 0, "the catalog was never written to");
        }

        await Eventually.HoldsAsync("the app in its catalog partition", async () =>
            (await ListAsync(admin, $"/v3/apps?guids={app}")).GetProperty("pagination").GetProperty("total_results").GetInt32() == 1);
    }

    [Fact]
    public async Task AnAuditEventOfAStoredChangeReachesTheTrailOnceWhenTheTableAnswersAgain()
    {
        using var admin = await fixture.Admin();
        var org = await AuthTests.CreateOrgAsync(admin);
        string space;
        using (var failing = fixture.Faults.Fail(request => StorageFaults.WritesTo(fixture.EventTable)(request)))
        {
            space = await OrganizationsAndSpacesTests.CreateSpaceAsync(admin, org, "audited");
            Assert.True(failing.Hits > 0, "the trail was never written to");
            Assert.Equal(0, (await ListAsync(admin, $"/v2/events?q=actee:{space}")).GetProperty("total_results").GetInt32());
        }

        var events = await Eventually.ValueAsync("the space's create event", () => ListAsync(admin, $"/v2/events?q=actee:{space}"),
            page => page.GetProperty("total_results").GetInt32() > 0);
        var created = Assert.Single(events.GetProperty("resources").EnumerateArray());
        Assert.Equal("audit.space.create", created.GetProperty("entity").GetProperty("type").GetString());
        Assert.Equal("audited", created.GetProperty("entity").GetProperty("metadata").GetProperty("request").GetProperty("name").GetString());
    }

    /// <summary>
    /// A scale reserves more quota before its store; when that store fails the reservation would hold the quota for
    /// nothing. The organization's ledger checks its apps and gives it back, so another app fits again.
    /// </summary>
    [Fact]
    public async Task AReservationWhoseStoreFailedIsGivenBackByTheLedgersCheck()
    {
        using var admin = await fixture.Admin();
        var quota = await (await admin.PostJsonAsync("/v2/quota_definitions", new
        {
            name = $"q-{Guid.NewGuid():N}", non_basic_services_allowed = true, total_services = 1, total_routes = 10, memory_limit = 1024,
        })).JsonAsync(HttpStatusCode.Created);
        var org = (await (await admin.PostJsonAsync("/v2/organizations", new { name = $"o-{Guid.NewGuid():N}", quota_definition_guid = quota.GetProperty("metadata").GetProperty("guid").GetString() }))
            .JsonAsync(HttpStatusCode.Created)).GetProperty("metadata").GetProperty("guid").GetString()!;
        var space = await OrganizationsAndSpacesTests.CreateSpaceAsync(admin, org, "space");
        var first = await RuntimeTests.StartedAppAsync(admin, space, "first");
        var second = await AppsTests.NewAppAsync(admin, space, "second");
        await BitsTests.Upload201Async(admin, second, [], Zips.Create([("index.html", Zips.Text("two"), 420)]));

        using (fixture.Faults.Fail(StorageFaults.WritesTo($"state-app/{Guid.Parse(first):N}")))
        {
            // 3 x 256 MB reserved, then the store fails: the scale is not acknowledged.
            await (await admin.PutJsonAsync($"/v2/apps/{first}", new { instances = 3 })).V2ErrorAsync(HttpStatusCode.ServiceUnavailable, 10015, "CF-ServiceUnavailable");
        }

        Assert.Equal(1, (await BitsTests.EntityAsync(admin, first)).GetProperty("instances").GetInt32());

        // 256 MB stored and 512 more asked for fits 1024 only once the failed reservation of 768 is gone.
        await Eventually.HoldsAsync("the second app starting within the quota", async () =>
            (await admin.PutJsonAsync($"/v2/apps/{second}", new { state = "STARTED", memory = 512 })).StatusCode == HttpStatusCode.Created);
    }

    /// <summary>
    /// A restage replaces the droplet the app runs while the old droplet's state cannot be written: the restage stands,
    /// and the old droplet expires once its state can be written (its expiry is owed by the app's store, not a call
    /// made after it that a retry of the staging's notification would skip).
    /// </summary>
    [Fact]
    public async Task ADropletReplacedWhileItsStateCannotBeWrittenExpiresOnceItCan()
    {
        using var admin = await fixture.Admin();
        var app = await RuntimeTests.StartedAppAsync(admin, await AppsTests.NewSpaceAsync(admin), "restaged");
        var first = await CurrentDropletAsync(admin, app);

        using (var failing = fixture.Faults.Fail(StorageFaults.WritesTo($"/{Guid.Parse(first):N}.json")))
        {
            await (await admin.PostAsync($"/v2/apps/{app}/restage", null)).JsonAsync(HttpStatusCode.Created);
            await Eventually.HoldsAsync("the restage's droplet current", async () => await CurrentDropletAsync(admin, app) != first);
            await Eventually.HoldsAsync("the old droplet's expiry tried", () => Task.FromResult(failing.Hits > 0));
            Assert.Equal("STAGED", await DropletStateAsync(admin, first));
        }

        await Eventually.HoldsAsync("the replaced droplet expired", async () => await DropletStateAsync(admin, first) == "EXPIRED");
    }

    private static async Task<string> CurrentDropletAsync(HttpClient http, string app) =>
        (await (await http.GetAsync($"/v3/apps/{app}/droplets/current")).JsonAsync(HttpStatusCode.OK)).GetProperty("guid").GetString()!;

    private static async Task<string> DropletStateAsync(HttpClient http, string droplet) =>
        (await (await http.GetAsync($"/v3/droplets/{droplet}")).JsonAsync(HttpStatusCode.OK)).GetProperty("state").GetString()!;

    private static async Task<JsonElement> ListAsync(HttpClient http, string url) => await (await http.GetAsync(url)).JsonAsync(HttpStatusCode.OK);
}
