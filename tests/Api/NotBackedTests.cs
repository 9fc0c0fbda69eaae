using System.Net;
using CloudController.Tests.Infrastructure;

namespace CloudController.Tests.Api;

/// <summary>The empty lists of what this server does not back yet: CF's shapes, filters checked, scope access enforced.</summary>
[Collection(ApiTier4.Name)]
public sealed class NotBackedTests(CloudControllerFixture fixture)
{
    [Fact]
    public async Task EachAnswersAnEmptyListInItsApiShape()
    {
        using var http = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(await fixture.Admin());
        var app = await AppsTests.NewAppAsync(http, space);

        foreach (var url in new[]
        {
            "/v2/services", "/v2/service_plans?q=service_guid:x", "/v2/service_instances", $"/v2/service_bindings?q=app_guid:{app}",
            $"/v2/spaces/{space}/service_instances?return_user_provided_service_instances=true", $"/v2/spaces/{space}/security_groups",
            $"/v2/spaces/{space}/staging_security_groups", $"/v2/apps/{app}/service_bindings",
        })
        {
            var page = await (await http.GetAsync(url)).JsonAsync(HttpStatusCode.OK);
            Assert.Equal(0, page.GetProperty("total_results").GetInt32());
            Assert.Empty(page.GetProperty("resources").EnumerateArray());
        }

        var segments = await (await http.GetAsync("/v3/isolation_segments?organization_guids=x")).JsonAsync(HttpStatusCode.OK);
        var relationship = await (await http.GetAsync($"/v3/spaces/{space}/relationships/isolation_segment")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(0, segments.GetProperty("pagination").GetProperty("total_results").GetInt32());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, relationship.GetProperty("data").ValueKind);
    }

    [Fact]
    public async Task BadQueriesUnknownScopesAndForeignScopesGetCfErrors()
    {
        using var http = await fixture.As("writer");
        using var nobody = await fixture.As("reader");
        var space = await OrganizationsAndSpacesTests.CreateBareSpaceAsync(await fixture.Admin(), await AuthTests.CreateOrgAsync(await fixture.Admin()), "bare");

        await (await http.GetAsync("/v2/service_bindings?q=colour:red")).V2ErrorAsync(HttpStatusCode.BadRequest, 10005, "CF-BadQueryParameter");
        await (await http.GetAsync("/v3/isolation_segments?colour=red")).V3ErrorAsync(HttpStatusCode.BadRequest, 10005, "CF-BadQueryParameter");
        await (await http.GetAsync($"/v2/spaces/{Guid.NewGuid()}/security_groups")).V2ErrorAsync(HttpStatusCode.NotFound, 40004, "CF-SpaceNotFound");
        await (await http.GetAsync($"/v2/apps/{Guid.NewGuid()}/service_bindings")).V2ErrorAsync(HttpStatusCode.NotFound, 100004, "CF-AppNotFound");
        await (await nobody.GetAsync($"/v2/spaces/{space}/security_groups")).V2ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");
        await (await nobody.GetAsync($"/v3/spaces/{space}/relationships/isolation_segment")).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ResourceNotFound");
        await (await http.GetAsync($"/v3/spaces/{Guid.NewGuid()}/relationships/isolation_segment")).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ResourceNotFound");
    }
}
