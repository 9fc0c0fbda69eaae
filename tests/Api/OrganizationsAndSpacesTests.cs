using System.Net;
using System.Text.Json;
using CloudController.Tests.Infrastructure;

namespace CloudController.Tests.Api;

[Collection(ApiTier3.Name)]
public sealed class OrganizationsAndSpacesTests(CloudControllerFixture fixture)
{
    [Fact]
    public async Task CreatingAnOrganizationAnswers201WithLocationAndTheV2Entity()
    {
        using var admin = await fixture.Admin();
        var name = $"org-{Guid.NewGuid():N}";

        var response = await admin.PostJsonAsync("/v2/organizations", new { name });

        var json = await response.JsonAsync(HttpStatusCode.Created);
        var guid = json.GetProperty("metadata").GetProperty("guid").GetString();
        Assert.Equal($"/v2/organizations/{guid}", response.Headers.Location?.OriginalString);
        Assert.Equal($"/v2/organizations/{guid}", json.GetProperty("metadata").GetProperty("url").GetString());
        HttpAssertions.IsCfTimestamp(json.GetProperty("metadata").GetProperty("created_at"));
        Assert.Equal(JsonValueKind.Null, json.GetProperty("metadata").GetProperty("updated_at").ValueKind);
        var entity = json.GetProperty("entity");
        Assert.Equal(name, entity.GetProperty("name").GetString());
        Assert.False(entity.GetProperty("billing_enabled").GetBoolean());
        Assert.Equal("active", entity.GetProperty("status").GetString());
        Assert.Equal($"/v2/organizations/{guid}/spaces", entity.GetProperty("spaces_url").GetString());
        Assert.True(Guid.TryParse(entity.GetProperty("quota_definition_guid").GetString(), out _));
    }

    [Fact]
    public async Task AnOrganizationReadsBackAndUpdatesWith201()
    {
        using var admin = await fixture.Admin();
        var guid = await AuthTests.CreateOrgAsync(admin);
        var renamed = $"renamed-{Guid.NewGuid():N}";

        var updated = await (await admin.PutJsonAsync($"/v2/organizations/{guid}", new { name = renamed, billing_enabled = true }))
            .JsonAsync(HttpStatusCode.Created);
        var read = await (await admin.GetAsync($"/v2/organizations/{guid}")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(renamed, updated.GetProperty("entity").GetProperty("name").GetString());
        Assert.Equal(renamed, read.GetProperty("entity").GetProperty("name").GetString());
        Assert.True(read.GetProperty("entity").GetProperty("billing_enabled").GetBoolean());
        HttpAssertions.IsCfTimestamp(read.GetProperty("metadata").GetProperty("updated_at"));
    }

    [Fact]
    public async Task OrganizationNamesAreUniqueIgnoringCase()
    {
        using var admin = await fixture.Admin();
        var name = $"Unique-{Guid.NewGuid():N}";
        await AuthTests.CreateOrgAsync(admin, name);

        var error = await (await admin.PostJsonAsync("/v2/organizations", new { name = name.ToUpperInvariant() }))
            .V2ErrorAsync(HttpStatusCode.BadRequest, 30002, "CF-OrganizationNameTaken");

        Assert.Contains(name.ToUpperInvariant(), error.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RenamingOntoATakenNameIsRejectedAndChangesNothing()
    {
        using var admin = await fixture.Admin();
        var taken = $"taken-{Guid.NewGuid():N}";
        await AuthTests.CreateOrgAsync(admin, taken);
        var guid = await AuthTests.CreateOrgAsync(admin);
        var before = await (await admin.GetAsync($"/v2/organizations/{guid}")).JsonAsync(HttpStatusCode.OK);

        await (await admin.PutJsonAsync($"/v2/organizations/{guid}", new { name = taken })).V2ErrorAsync(HttpStatusCode.BadRequest, 30002, "CF-OrganizationNameTaken");
        var after = await (await admin.GetAsync($"/v2/organizations/{guid}")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(before.GetProperty("entity").GetProperty("name").GetString(), after.GetProperty("entity").GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("{}", 1001, "CF-MessageParseError")]
    [InlineData("{\"name\": 5}", 1001, "CF-MessageParseError")]
    [InlineData("[1,2]", 1001, "CF-MessageParseError")]
    [InlineData("{\"name\": \"x\", \"billing_enabled\": \"yes\"}", 1001, "CF-MessageParseError")]
    [InlineData("{\"name\": \"   \"}", 30001, "CF-OrganizationInvalid")]
    [InlineData("{\"name\": \"x\", \"status\": \"sleeping\"}", 30001, "CF-OrganizationInvalid")]
    [InlineData("{\"name\": \"x\", \"quota_definition_guid\": \"no-such-quota\"}", 1002, "CF-InvalidRelation")]
    public async Task InvalidOrganizationBodiesAreCfErrors(string body, int code, string errorCode)
    {
        using var admin = await fixture.Admin();

        await (await admin.PostAsync("/v2/organizations", HttpAssertions.Raw(body))).V2ErrorAsync(HttpStatusCode.BadRequest, code, errorCode);
    }

    [Theory]
    [InlineData("2b2b2b2b-0000-4000-8000-000000000000")]
    [InlineData("not-a-guid")]
    public async Task AnUnknownOrganizationIsOrganizationNotFound(string guid)
    {
        using var admin = await fixture.Admin();

        var error = await (await admin.GetAsync($"/v2/organizations/{guid}")).V2ErrorAsync(HttpStatusCode.NotFound, 30003, "CF-OrganizationNotFound");
        await (await admin.GetAsync($"/v3/organizations/{guid}")).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ResourceNotFound");

        Assert.Equal($"The organization could not be found: {guid}", error.GetProperty("description").GetString());
    }

    [Fact]
    public async Task ADeletedOrganizationIsGone()
    {
        using var admin = await fixture.Admin();
        var name = $"doomed-{Guid.NewGuid():N}";
        var guid = await AuthTests.CreateOrgAsync(admin, name);

        var deleted = await admin.DeleteAsync($"/v2/organizations/{guid}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await (await admin.GetAsync($"/v2/organizations/{guid}")).V2ErrorAsync(HttpStatusCode.NotFound, 30003, "CF-OrganizationNotFound");
        var listed = await (await admin.GetAsync($"/v2/organizations?q=name:{name}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(0, listed.GetProperty("total_results").GetInt32());
        await AuthTests.CreateOrgAsync(admin, name);
    }

    [Fact]
    public async Task AnOrganizationWithSpacesIsDeletedOnlyRecursively()
    {
        using var admin = await fixture.Admin();
        var org = await AuthTests.CreateOrgAsync(admin);
        var space = await CreateSpaceAsync(admin, org, "dev");

        await (await admin.DeleteAsync($"/v2/organizations/{org}")).V2ErrorAsync(HttpStatusCode.BadRequest, 10006, "CF-AssociationNotEmpty");
        await (await admin.GetAsync($"/v2/spaces/{space}")).JsonAsync(HttpStatusCode.OK);
        var recursive = await admin.DeleteAsync($"/v2/organizations/{org}?recursive=true");

        Assert.Equal(HttpStatusCode.NoContent, recursive.StatusCode);
        await (await admin.GetAsync($"/v2/spaces/{space}")).V2ErrorAsync(HttpStatusCode.NotFound, 40004, "CF-SpaceNotFound");
    }

    [Fact]
    public async Task CreatingASpaceAnswersTheV2EntityAndItReadsBackInV2AndV3()
    {
        using var admin = await fixture.Admin();
        var org = await AuthTests.CreateOrgAsync(admin);

        var created = await (await admin.PostJsonAsync("/v2/spaces", new { name = "dev", organization_guid = org })).JsonAsync(HttpStatusCode.Created);
        var guid = created.GetProperty("metadata").GetProperty("guid").GetString();
        var v3 = await (await admin.GetAsync($"/v3/spaces/{guid}")).JsonAsync(HttpStatusCode.OK);

        var entity = created.GetProperty("entity");
        Assert.Equal("dev", entity.GetProperty("name").GetString());
        Assert.Equal(org, entity.GetProperty("organization_guid").GetString());
        Assert.True(entity.GetProperty("allow_ssh").GetBoolean());
        Assert.Equal($"/v2/organizations/{org}", entity.GetProperty("organization_url").GetString());
        Assert.Equal($"/v2/spaces/{guid}/apps", entity.GetProperty("apps_url").GetString());
        Assert.Equal("dev", v3.GetProperty("name").GetString());
        Assert.Equal(org, v3.GetProperty("relationships").GetProperty("organization").GetProperty("data").GetProperty("guid").GetString());
        Assert.EndsWith($"/v3/spaces/{guid}", v3.GetProperty("links").GetProperty("self").GetProperty("href").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SpaceNamesAreUniquePerOrganizationOnly()
    {
        using var admin = await fixture.Admin();
        var org = await AuthTests.CreateOrgAsync(admin);
        var other = await AuthTests.CreateOrgAsync(admin);
        await CreateSpaceAsync(admin, org, "dev");

        await (await admin.PostJsonAsync("/v2/spaces", new { name = "dev", organization_guid = org })).V2ErrorAsync(HttpStatusCode.BadRequest, 40002, "CF-SpaceNameTaken");
        await CreateSpaceAsync(admin, other, "dev");
    }

    [Theory]
    [InlineData("5c5c5c5c-0000-4000-8000-000000000000")]
    [InlineData("nope")]
    public async Task ASpaceInAnUnknownOrganizationIsAnInvalidRelation(string org)
    {
        using var admin = await fixture.Admin();

        var error = await (await admin.PostJsonAsync("/v2/spaces", new { name = "dev", organization_guid = org }))
            .V2ErrorAsync(HttpStatusCode.BadRequest, 1002, "CF-InvalidRelation");

        Assert.Contains(org, error.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASpaceWithoutOrganizationIsAParseError()
    {
        using var admin = await fixture.Admin();

        await (await admin.PostJsonAsync("/v2/spaces", new { name = "dev" })).V2ErrorAsync(HttpStatusCode.BadRequest, 1001, "CF-MessageParseError");
    }

    [Fact]
    public async Task SpacesUpdateAndDelete()
    {
        using var admin = await fixture.Admin();
        var org = await AuthTests.CreateOrgAsync(admin);
        var space = await CreateSpaceAsync(admin, org, "dev");

        var updated = await (await admin.PutJsonAsync($"/v2/spaces/{space}", new { name = "prod", allow_ssh = false })).JsonAsync(HttpStatusCode.Created);
        var deleted = await admin.DeleteAsync($"/v2/spaces/{space}");

        Assert.Equal("prod", updated.GetProperty("entity").GetProperty("name").GetString());
        Assert.False(updated.GetProperty("entity").GetProperty("allow_ssh").GetBoolean());
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await (await admin.GetAsync($"/v2/spaces/{space}")).V2ErrorAsync(HttpStatusCode.NotFound, 40004, "CF-SpaceNotFound");
        await (await admin.GetAsync($"/v3/spaces/{space}")).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ResourceNotFound");
        await CreateSpaceAsync(admin, org, "prod");
    }

    [Fact]
    public async Task SpacesAreListedPerOrganizationAndByFilter()
    {
        using var admin = await fixture.Admin();
        var org = await AuthTests.CreateOrgAsync(admin);
        var dev = await CreateSpaceAsync(admin, org, "dev");
        await CreateSpaceAsync(admin, org, "prod");

        var inOrg = await (await admin.GetAsync($"/v2/organizations/{org}/spaces")).JsonAsync(HttpStatusCode.OK);
        var byFilter = await (await admin.GetAsync($"/v2/spaces?q=organization_guid:{org}&q=name:dev")).JsonAsync(HttpStatusCode.OK);
        var v3 = await (await admin.GetAsync($"/v3/spaces?organization_guids={org}&names=dev,prod")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(2, inOrg.GetProperty("total_results").GetInt32());
        Assert.Equal(dev, byFilter.GetProperty("resources")[0].GetProperty("metadata").GetProperty("guid").GetString());
        Assert.Equal(1, byFilter.GetProperty("total_results").GetInt32());
        Assert.Equal(2, v3.GetProperty("pagination").GetProperty("total_results").GetInt32());
        await (await admin.GetAsync($"/v2/organizations/{Guid.NewGuid()}/spaces")).V2ErrorAsync(HttpStatusCode.NotFound, 30003, "CF-OrganizationNotFound");
    }

    [Fact]
    public async Task ASpaceSummaryHoldsEachAppWithWhatCfAppsReads()
    {
        using var admin = await fixture.Admin();
        var space = await AppsTests.NewSpaceAsync(admin);
        var web = await AppsTests.NewAppAsync(admin, space, "web");
        var api = await AppsTests.NewAppAsync(admin, space, "api");
        await (await admin.PutJsonAsync($"/v2/apps/{web}", new { instances = 3, memory = 256, disk_quota = 512 })).JsonAsync(HttpStatusCode.Created);

        var summary = await (await admin.GetAsync($"/v2/spaces/{space}/summary")).JsonAsync(HttpStatusCode.OK);
        var apps = summary.GetProperty("apps").EnumerateArray().ToList();

        Assert.Equal(space, summary.GetProperty("guid").GetString());
        Assert.Equal("space", summary.GetProperty("name").GetString());
        Assert.Equal(0, summary.GetProperty("services").GetArrayLength());
        Assert.Equal([api, web], apps.Select(a => a.GetProperty("guid").GetString()));
        Assert.Equal(["api", "web"], apps.Select(a => a.GetProperty("name").GetString()));
        var webEntry = apps[1];
        Assert.Equal(3, webEntry.GetProperty("instances").GetInt32());
        Assert.Equal(256, webEntry.GetProperty("memory").GetInt32());
        Assert.Equal(512, webEntry.GetProperty("disk_quota").GetInt32());
        Assert.Equal("STOPPED", webEntry.GetProperty("state").GetString());
        Assert.Equal(0, webEntry.GetProperty("running_instances").GetInt32());
        Assert.Equal(0, webEntry.GetProperty("routes").GetArrayLength());
        Assert.Equal(0, webEntry.GetProperty("service_count").GetInt32());
        await (await admin.GetAsync($"/v2/spaces/{Guid.NewGuid()}/summary")).V2ErrorAsync(HttpStatusCode.NotFound, 40004, "CF-SpaceNotFound");
    }

    /// <summary>
    /// A space in which the fixture's "writer" is a space developer and "reader" a space auditor (both org users), so
    /// the tests written for those scopes act as a space's members do; <see cref="CreateBareSpaceAsync"/> grants nothing.
    /// </summary>
    internal static async Task<string> CreateSpaceAsync(HttpClient admin, string org, string name)
    {
        var space = await CreateBareSpaceAsync(admin, org, name);
        await GrantAsync(admin, org, space, "writer", "developers");
        await GrantAsync(admin, org, space, "reader", "auditors");
        return space;
    }

    internal static async Task<string> CreateBareSpaceAsync(HttpClient admin, string org, string name)
    {
        var json = await (await admin.PostJsonAsync("/v2/spaces", new { name, organization_guid = org })).JsonAsync(HttpStatusCode.Created);
        return json.GetProperty("metadata").GetProperty("guid").GetString()!;
    }

    /// <summary>Makes <paramref name="user"/> an org user and gives it the space role (<c>developers</c>, <c>managers</c>, <c>auditors</c>).</summary>
    internal static async Task GrantAsync(HttpClient admin, string org, string space, string user, string role)
    {
        await (await admin.PutJsonAsync($"/v2/organizations/{org}/users", new { username = user })).JsonAsync(HttpStatusCode.Created);
        await (await admin.PutJsonAsync($"/v2/spaces/{space}/{role}", new { username = user })).JsonAsync(HttpStatusCode.Created);
    }
}
