using System.Net;
using System.Text.Json;
using CloudController.GrainInterfaces.Indexes;
using CloudController.Grains.Indexes;
using CloudController.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CloudController.Tests.Api;

/// <summary>Indexes keyed by scope: what each index stores, and lists that span several indexes.</summary>
[Collection(ApiTier3.Name)]
public sealed class ScopedIndexTests(CloudControllerFixture fixture)
{
    [Fact]
    public async Task AnUpdateThatChangesNoIndexedFieldWritesNothingToTheIndex()
    {
        using var admin = await fixture.Admin();
        var space = await AppsTests.NewSpaceAsync(admin);
        var app = await AppsTests.NewAppAsync(admin, space, "indexed");
        var before = await SpaceIndexLogLengthAsync(space);

        await (await admin.PutJsonAsync($"/v2/apps/{app}", new { memory = 512, instances = 2 })).JsonAsync(HttpStatusCode.Created);
        await (await admin.PutJsonAsync($"/v2/apps/{app}", new { state = "STOPPED", command = "run" })).JsonAsync(HttpStatusCode.Created);
        var unchanged = await SpaceIndexLogLengthAsync(space);
        await (await admin.PutJsonAsync($"/v2/apps/{app}", new { name = "renamed" })).JsonAsync(HttpStatusCode.Created);
        var renamed = await SpaceIndexLogLengthAsync(space);

        Assert.True(before > 0);
        Assert.Equal(before, unchanged);
        Assert.True(renamed > unchanged, "a rename is an index change");
    }

    [Fact]
    public async Task AnOrganizationsAppsListMergesItsSpacesInCreationOrder()
    {
        using var admin = await fixture.Admin();
        var org = await AuthTests.CreateOrgAsync(admin);
        var spaces = new[] { "a", "b", "c" };
        var spaceGuids = new List<string>();
        foreach (var name in spaces)
        {
            spaceGuids.Add(await OrganizationsAndSpacesTests.CreateSpaceAsync(admin, org, name));
        }

        var apps = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            apps.Add(await AppsTests.NewAppAsync(admin, spaceGuids[i % 3], $"app{i}"));
        }

        var pages = new List<string>();
        for (var page = 1; page <= 3; page++)
        {
            var json = await (await admin.GetAsync($"/v3/apps?organization_guids={org}&per_page=3&page={page}")).JsonAsync(HttpStatusCode.OK);
            Assert.Equal(7, json.GetProperty("pagination").GetProperty("total_results").GetInt32());
            pages.AddRange(Guids(json, "resources", "guid"));
        }

        var newestFirst = await (await admin.GetAsync($"/v2/apps?q=organization_guid:{org}&order-direction=desc&results-per-page=2")).JsonAsync(HttpStatusCode.OK);
        var byName = await (await admin.GetAsync($"/v3/apps?organization_guids={org}&order_by=-name&per_page=2&page=2")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(apps, pages);
        Assert.Equal([apps[6], apps[5]], newestFirst.GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("metadata").GetProperty("guid").GetString()!));
        Assert.Equal(["app4", "app3"], byName.GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("name").GetString()!));
    }

    [Fact]
    public async Task PlatformWideListsFindAppsInEverySpaceThroughTheCatalog()
    {
        using var admin = await fixture.Admin();
        var name = $"everywhere-{Guid.NewGuid():N}";
        var one = await AppsTests.NewAppAsync(admin, await AppsTests.NewSpaceAsync(admin), name);
        var two = await AppsTests.NewAppAsync(admin, await AppsTests.NewSpaceAsync(admin), name);

        var v2 = await (await admin.GetAsync($"/v2/apps?q=name:{name}")).JsonAsync(HttpStatusCode.OK);
        var v3 = await (await admin.GetAsync($"/v3/apps?names={name}")).JsonAsync(HttpStatusCode.OK);
        var byGuid = await (await admin.GetAsync($"/v3/apps?guids={two},{one}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/v2/apps/{one}")).StatusCode);
        var afterDelete = await (await admin.GetAsync($"/v3/apps?names={name}")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal([one, two], v2.GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("metadata").GetProperty("guid").GetString()!));
        Assert.Equal([one, two], Guids(v3, "resources", "guid"));
        Assert.Equal([one, two], Guids(byGuid, "resources", "guid"));
        Assert.Equal([two], Guids(afterDelete, "resources", "guid"));
    }

    [Fact]
    public async Task AnOrganizationRenamedIntoAnotherPartitionKeepsItsNameUniqueAndFreesTheOldOne()
    {
        using var admin = await fixture.Admin();
        var old = $"org-{Guid.NewGuid():N}";
        var org = await AuthTests.CreateOrgAsync(admin, old);
        // Rename until the name lands in another partition, so the claim moves between index grains.
        var renamed = Enumerable.Range(0, 64).Select(i => $"{old}-{i}")
            .First(n => IndexKeys.Organizations(n) != IndexKeys.Organizations(old));

        await (await admin.PutJsonAsync($"/v2/organizations/{org}", new { name = renamed })).JsonAsync(HttpStatusCode.Created);
        await (await admin.PostJsonAsync("/v2/organizations", new { name = renamed.ToUpperInvariant() }))
            .V2ErrorAsync(HttpStatusCode.BadRequest, 30002, "CF-OrganizationNameTaken");
        var reused = await AuthTests.CreateOrgAsync(admin, old);
        var listed = await (await admin.GetAsync($"/v3/organizations?names={renamed},{old}")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal([org, reused], Guids(listed, "resources", "guid"));
    }

    [Fact]
    public async Task UpdateTimeOrderLoadsTheResourcesItSorts()
    {
        using var admin = await fixture.Admin();
        var space = await AppsTests.NewSpaceAsync(admin);
        var first = await AppsTests.NewAppAsync(admin, space);
        var second = await AppsTests.NewAppAsync(admin, space);
        await (await admin.PutJsonAsync($"/v2/apps/{first}", new { memory = 256 })).JsonAsync(HttpStatusCode.Created);

        var json = await (await admin.GetAsync($"/v3/apps?space_guids={space}&order_by=-updated_at")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal([first, second], Guids(json, "resources", "guid"));
    }

    [Fact]
    public async Task ResourcesIndexedOnlyInTheOlderSingleJournalMoveToTheirScopeAtStart()
    {
        using var admin = await fixture.Admin();
        var space = await AppsTests.NewSpaceAsync(admin);
        var app = Guid.Parse(await AppsTests.NewAppAsync(admin, space, "moved"));
        var grains = fixture.Silo.Services.GetRequiredService<IGrainFactory>();
        var journal = fixture.Silo.Services.GetRequiredService<IIndexJournal>();
        // What an older version left: the app only in the one "apps" journal, neither in its space's index nor the catalog.
        var entry = new IndexEntry(app, "moved", space, DateTimeOffset.UtcNow, []);
        await grains.GetGrain<IResourceIndexGrain>(IndexKeys.AppsInSpace(Guid.Parse(space))).ReleaseAsync(app);
        await grains.GetGrain<IResourceIndexGrain>(IndexKeys.Catalog(IndexKeys.Apps, app)).ReleaseAsync(app);
        await journal.AppendAsync(await journal.LoadAsync(IndexKeys.Apps), [new IndexChange(entry, null), new IndexChange(entry with { Guid = Guid.NewGuid() }, null)]);
        var before = await (await admin.GetAsync($"/v2/spaces/{space}/apps")).JsonAsync(HttpStatusCode.OK);

        var moved = await fixture.Silo.Services.GetRequiredService<LegacyIndexMigration>().RunAsync();

        var inSpace = await (await admin.GetAsync($"/v2/spaces/{space}/apps")).JsonAsync(HttpStatusCode.OK);
        var everywhere = await (await admin.GetAsync($"/v3/apps?guids={app}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(0, before.GetProperty("total_results").GetInt32());
        Assert.Equal(2, moved);
        Assert.Equal(1, inSpace.GetProperty("total_results").GetInt32());
        Assert.Equal([app.ToString()], Guids(everywhere, "resources", "guid"));
        Assert.DoesNotContain(await fixture.BlobNamesAsync(fixture.GrainStateContainer), n => n.StartsWith("index-journal/apps/log", StringComparison.Ordinal));
        Assert.Equal(0, await fixture.Silo.Services.GetRequiredService<LegacyIndexMigration>().RunAsync());
    }

    private static List<string> Guids(JsonElement json, string array, string property) =>
        json.GetProperty(array).EnumerateArray().Select(r => r.GetProperty(property).GetString()!).ToList();

    private async Task<long> SpaceIndexLogLengthAsync(string space)
    {
        var blob = fixture.Blobs.GetBlobContainerClient(fixture.GrainStateContainer).GetBlobClient($"index-journal/apps/{space}/log-0000000000");
        return (await blob.GetPropertiesAsync()).Value.ContentLength;
    }
}
