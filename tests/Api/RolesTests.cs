using System.Net;
using System.Text.Json;
using CloudController.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CloudController.Tests.Api;

/// <summary>Org and space roles, as <c>cf create-org</c>, <c>create-space</c>, <c>set-*-role</c> and <c>*-users</c> use them.</summary>
[Collection(ApiTier4.Name)]
public sealed class RolesTests(CloudControllerFixture fixture)
{
    [Fact]
    public async Task TheCreatorOfAnOrganizationManagesItAndRolesAreListedByUserName()
    {
        using var admin = await fixture.Admin();
        var org = await AuthTests.CreateOrgAsync(admin);
        var dev = await NewUaaUserAsync(admin);

        await (await admin.PutJsonAsync($"/v2/organizations/{org}/managers", new { username = "admin" })).JsonAsync(HttpStatusCode.Created);
        await (await admin.PutAsync($"/v2/organizations/{org}/auditors/{dev.Id}", null)).JsonAsync(HttpStatusCode.Created);
        var managers = await (await admin.GetAsync($"/v2/organizations/{org}/managers")).JsonAsync(HttpStatusCode.OK);
        var auditors = await (await admin.GetAsync($"/v2/organizations/{org}/auditors")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(["admin"], Names(managers));
        Assert.Equal([dev.Name], Names(auditors));
    }

    [Fact]
    public async Task ASpaceRoleNeedsTheOrgUserRoleAndLeavingTheOrgEndsIt()
    {
        using var admin = await fixture.Admin();
        var org = await AuthTests.CreateOrgAsync(admin);
        var space = await OrganizationsAndSpacesTests.CreateBareSpaceAsync(admin, org, "s");
        var dev = await NewUaaUserAsync(admin);

        await (await admin.PutJsonAsync($"/v2/spaces/{space}/developers", new { username = dev.Name }))
            .V2ErrorAsync(HttpStatusCode.BadRequest, 1002, "CF-InvalidRelation");
        await (await admin.PutJsonAsync($"/v2/organizations/{org}/users", new { username = dev.Name })).JsonAsync(HttpStatusCode.Created);
        await (await admin.PutJsonAsync($"/v2/spaces/{space}/developers", new { username = dev.Name })).JsonAsync(HttpStatusCode.Created);
        var developers = await (await admin.GetAsync($"/v2/spaces/{space}/developers")).JsonAsync(HttpStatusCode.OK);
        using var remove = new HttpRequestMessage(HttpMethod.Delete, $"/v2/organizations/{org}/users") { Content = System.Net.Http.Json.JsonContent.Create(new { username = dev.Name }) };
        Assert.Equal(HttpStatusCode.NoContent, (await admin.SendAsync(remove)).StatusCode);
        var after = await (await admin.GetAsync($"/v2/spaces/{space}/developers")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal([dev.Name], Names(developers));
        Assert.Empty(Names(after));
    }

    [Fact]
    public async Task AUsersOrganizationsAndSpacesComeFromItsRoles()
    {
        using var admin = await fixture.Admin();
        var org = await AuthTests.CreateOrgAsync(admin);
        var space = await OrganizationsAndSpacesTests.CreateBareSpaceAsync(admin, org, "s");
        var dev = await NewUaaUserAsync(admin);
        await (await admin.PutJsonAsync($"/v2/organizations/{org}/users", new { username = dev.Name })).JsonAsync(HttpStatusCode.Created);
        await (await admin.PutJsonAsync($"/v2/spaces/{space}/auditors", new { username = dev.Name })).JsonAsync(HttpStatusCode.Created);
        using var self = fixture.Anonymous();
        self.DefaultRequestHeaders.Authorization = new("bearer", await CloudControllerFixture.PasswordGrantAsync(self, dev.Name, "pw"));

        var orgs = await (await self.GetAsync($"/v2/users/{dev.Id}/organizations")).JsonAsync(HttpStatusCode.OK);
        var managed = await (await self.GetAsync($"/v2/users/{dev.Id}/managed_organizations")).JsonAsync(HttpStatusCode.OK);
        var audited = await (await self.GetAsync($"/v2/users/{dev.Id}/audited_spaces")).JsonAsync(HttpStatusCode.OK);
        var developing = await (await admin.GetAsync($"/v2/users/{dev.Id}/spaces")).JsonAsync(HttpStatusCode.OK);
        using var writer = await fixture.As("writer");
        await (await writer.GetAsync($"/v2/users/{dev.Id}/organizations")).V2ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");

        Assert.Equal([org], Guids(orgs));
        Assert.Empty(Guids(managed));
        Assert.Equal([space], Guids(audited));
        Assert.Empty(Guids(developing));
    }

    [Fact]
    public async Task OnlyAdminsAndManagersAssignRolesAndUnknownUsersAreNotFound()
    {
        using var admin = await fixture.Admin();
        var org = await AuthTests.CreateOrgAsync(admin);
        var dev = await NewUaaUserAsync(admin);
        using var writer = await fixture.As("writer");

        await (await writer.PutJsonAsync($"/v2/organizations/{org}/managers", new { username = "writer" }))
            .V2ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");
        await (await admin.PutJsonAsync($"/v2/organizations/{org}/managers", new { username = "nobody-at-all" }))
            .V2ErrorAsync(HttpStatusCode.NotFound, 20003, "CF-UserNotFound");
        await (await admin.PutJsonAsync($"/v2/organizations/{org}/managers", new { username = dev.Name })).JsonAsync(HttpStatusCode.Created);
        using var manager = fixture.Anonymous();
        manager.DefaultRequestHeaders.Authorization = new("bearer", await CloudControllerFixture.PasswordGrantAsync(manager, dev.Name, "pw"));
        await (await manager.PutJsonAsync($"/v2/organizations/{org}/auditors", new { username = "writer" })).JsonAsync(HttpStatusCode.Created);
        var auditors = await (await admin.GetAsync($"/v2/organizations/{org}/auditors")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(["writer"], Names(auditors));
    }

    [Fact]
    public async Task FeatureFlagsAnswerCfsDefaultsWithRolesByUserNameOn()
    {
        using var reader = await fixture.As("reader");

        var all = await (await reader.GetAsync("/v2/config/feature_flags")).JsonAsync(HttpStatusCode.OK);
        var one = await (await reader.GetAsync("/v2/config/feature_flags/set_roles_by_username")).JsonAsync(HttpStatusCode.OK);
        await (await reader.GetAsync("/v2/config/feature_flags/no_such_flag")).V2ErrorAsync(HttpStatusCode.NotFound, 330000, "CF-FeatureFlagNotFound");

        Assert.True(one.GetProperty("enabled").GetBoolean());
        Assert.False(all.EnumerateArray().Single(f => f.GetProperty("name").GetString() == "user_org_creation").GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task AnAsyncDeleteAnswersAJobThatFinishesOnceTheSpaceAndOrgAreGone()
    {
        using var admin = await fixture.Admin();
        var org = await AuthTests.CreateOrgAsync(admin);
        var space = await OrganizationsAndSpacesTests.CreateBareSpaceAsync(admin, org, "doomed");
        await AppsTests.NewAppAsync(admin, space);

        var spaceJob = await (await admin.DeleteAsync($"/v2/spaces/{space}?recursive=true&async=true")).JsonAsync(HttpStatusCode.Accepted);
        Assert.True(spaceJob.GetProperty("entity").GetProperty("status").GetString() is "queued" or "running" or "finished");
        await BitsTests.PollAsync(admin, spaceJob.GetProperty("metadata").GetProperty("url").GetString()!, "finished");
        var dev = await NewUaaUserAsync(admin);
        await (await admin.PutJsonAsync($"/v2/organizations/{org}/users", new { username = dev.Name })).JsonAsync(HttpStatusCode.Created);
        var orgJob = await (await admin.DeleteAsync($"/v2/organizations/{org}?recursive=true&async=true")).JsonAsync(HttpStatusCode.Accepted);
        await BitsTests.PollAsync(admin, $"/v2/jobs/{orgJob.GetProperty("entity").GetProperty("guid").GetString()}", "finished");
        var membership = await fixture.Silo.Services.GetRequiredService<IGrainFactory>()
            .GetGrain<GrainInterfaces.Users.IUserGrain>(Guid.Parse(dev.Id)).MembershipAsync();

        await (await admin.GetAsync($"/v2/spaces/{space}")).V2ErrorAsync(HttpStatusCode.NotFound, 40004, "CF-SpaceNotFound");
        await (await admin.GetAsync($"/v2/organizations/{org}")).V2ErrorAsync(HttpStatusCode.NotFound, 30003, "CF-OrganizationNotFound");
        Assert.Empty(membership.Organizations);
    }

    private static async Task<(string Id, string Name)> NewUaaUserAsync(HttpClient admin)
    {
        var name = $"u-{Guid.NewGuid():N}";
        var id = (await (await admin.PostJsonAsync("/Users", new { userName = name, password = "pw" })).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        return (id, name);
    }

    private static List<string> Guids(JsonElement page) =>
        [.. page.GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("metadata").GetProperty("guid").GetString()!)];

    private static List<string> Names(JsonElement page) =>
        [.. page.GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("entity").GetProperty("username").GetString()!)];
}
