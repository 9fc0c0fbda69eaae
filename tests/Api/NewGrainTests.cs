using System.Net;
using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Hosting;
using CloudController.Grains.Storage;
using CloudController.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CloudController.Tests.Api;

/// <summary>
/// Creates skip the activation read of the guid they just made (the hint rides in the request context into the
/// silo's activation), and the skip can never replace stored state.
/// </summary>
[Collection(ApiTier4.Name)]
public sealed class NewGrainTests(CloudControllerFixture fixture)
{
    [Fact]
    public async Task AnAnnouncedNewGrainSkipsItsReadAndItsFirstWriteCannotReplaceStoredState()
    {
        using var http = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(await fixture.Admin());
        var stored = Guid.Parse(await AppsTests.NewAppAsync(http, space, "stored"));
        var grains = fixture.Silo.Services.GetRequiredService<IGrainFactory>();
        var container = fixture.Blobs.GetBlobContainerClient(fixture.GrainStateContainer);
        var content = (await container.GetBlobClient(BlobOf(grains, stored)).DownloadContentAsync()).Value.Content;

        // Two guids nobody has activated, each already holding a copy of the stored app's state.
        var (announced, control) = (Guid.NewGuid(), Guid.NewGuid());
        await container.GetBlobClient(BlobOf(grains, announced)).UploadAsync(content);
        await container.GetBlobClient(BlobOf(grains, control)).UploadAsync(content);

        Assert.Equal("stored", (await grains.GetGrain<IAppGrain>(control).FindAsync())?.Name);
        var grain = grains.GetGrain<IAppGrain>(announced);
        Assert.Null(await NewGrain.CallAsync(grain, app => app.FindAsync()));
        Assert.Null(RequestContext.Get(NewGrain.RequestContextKey)); // the hint ends with the call

        await Assert.ThrowsAnyAsync<Exception>(() => grain.CreateAsync(new AppFields { Name = "intruder", SpaceGuid = Guid.Parse(space) }));
        var after = (await container.GetBlobClient(BlobOf(grains, announced)).DownloadContentAsync()).Value.Content;
        Assert.Equal(content.ToArray(), after.ToArray());

        // The refused write proved the announcement wrong: from now on the grain reads what is stored and goes on,
        // even when called as new again (a retry carrying the same hint), instead of failing every write.
        Assert.Equal("stored", (await NewGrain.CallAsync(grain, app => app.FindAsync()))?.Name);
        var renamed = await NewGrain.CallAsync(grain, app => app.UpdateAsync(new AppFields { Name = "renamed" }));
        Assert.Equal("renamed", renamed.Name);
    }

    [Fact]
    public async Task CreatesThroughTheApiStillRefuseATakenNameAndReadBack()
    {
        using var http = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(await fixture.Admin());
        var v2 = await AppsTests.NewAppAsync(http, space, "first");
        var v3 = await (await http.PostJsonAsync("/v3/apps", new { name = "second", relationships = new { space = new { guid = space } } }))
            .JsonAsync(HttpStatusCode.Created);

        await (await http.PostJsonAsync("/v2/apps", new { name = "second", space_guid = space }))
            .V2ErrorAsync(HttpStatusCode.BadRequest, 100002, "CF-AppNameTaken");
        Assert.Equal("first", (await (await http.GetAsync($"/v3/apps/{v2}")).JsonAsync(HttpStatusCode.OK)).GetProperty("name").GetString());
        var v3Guid = v3.GetProperty("guid").GetString();
        Assert.Equal("second", (await (await http.GetAsync($"/v2/apps/{v3Guid}")).JsonAsync(HttpStatusCode.OK)).GetProperty("entity").GetProperty("name").GetString());
    }

    [Fact]
    public async Task AnUnreadableStateBlobIsAClearErrorForThatResourceOnly()
    {
        using var http = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(await fixture.Admin());
        var healthy = await AppsTests.NewAppAsync(http, space, "healthy");
        var grains = fixture.Silo.Services.GetRequiredService<IGrainFactory>();
        var broken = Guid.NewGuid();
        var blob = BlobOf(grains, broken);
        await fixture.Blobs.GetBlobContainerClient(fixture.GrainStateContainer).GetBlobClient(blob).UploadAsync(BinaryData.FromString("{\"App\": [not json"));

        var error = await (await http.GetAsync($"/v2/apps/{broken}")).V2ErrorAsync(HttpStatusCode.InternalServerError, 10001, "UnknownError");
        Assert.Contains("cannot be read", error.GetProperty("description").GetString(), StringComparison.Ordinal);
        await (await http.GetAsync($"/v2/apps/{healthy}")).JsonAsync(HttpStatusCode.OK);
    }

    /// <summary>An app stored by an earlier version (schema 1: the v2 snapshot, web's settings on the app) reads as it was and is written in schema 2 by its next change.</summary>
    [Fact]
    public async Task AnAppStoredInTheFirstSchemaReadsAsItWasAndIsRewrittenInTheSecond()
    {
        using var http = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(await fixture.Admin());
        var grains = fixture.Silo.Services.GetRequiredService<IGrainFactory>();
        var guid = Guid.NewGuid();
        var blob = fixture.Blobs.GetBlobContainerClient(fixture.GrainStateContainer).GetBlobClient(BlobOf(grains, guid));
        var legacy = new
        {
            App = new
            {
                Guid = guid, Name = "legacy", SpaceGuid = space, Memory = 256, Instances = 2, DiskQuota = 512, State = "Stopped", PackageState = "Pending",
                HealthCheckType = "port", EnvironmentJson = "{\"A\":\"1\"}", Command = "./run", DetectedStartCommand = "", EnableSsh = true,
                CreatedAt = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), OtherProcesses = (object?)null,
            },
            V3StagingDroplet = (Guid?)null,
            OrganizationGuid = (Guid?)null,
        };
        await blob.UploadAsync(BinaryData.FromObjectAsJson(legacy));

        var app = (await (await http.GetAsync($"/v2/apps/{guid}")).JsonAsync(HttpStatusCode.OK)).GetProperty("entity");
        Assert.Equal(("legacy", 256, 2, 512, "./run"), (app.GetProperty("name").GetString(), app.GetProperty("memory").GetInt32(),
            app.GetProperty("instances").GetInt32(), app.GetProperty("disk_quota").GetInt32(), app.GetProperty("command").GetString()));
        await (await http.PutJsonAsync($"/v2/apps/{guid}", new { instances = 3 })).JsonAsync(HttpStatusCode.Created);
        var stored = (await blob.DownloadContentAsync()).Value.Content.ToString();
        Assert.Contains("\"Schema\":2", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("\"App\":{", stored, StringComparison.Ordinal);
        Assert.Equal(3, (await BitsTests.EntityAsync(http, guid.ToString())).GetProperty("instances").GetInt32());
    }

    private static string BlobOf(IGrainFactory grains, Guid app) =>
        CloudControllerGrainStorage.BlobName(StorageNames.State, grains.GetGrain<IAppGrain>(app).GetGrainId());
}
