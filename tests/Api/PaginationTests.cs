using System.Net;
using CloudController.Tests.Infrastructure;

namespace CloudController.Tests.Api;

[Collection(ApiTier1.Name)]
public sealed class PaginationTests(CloudControllerFixture fixture)
{
    [Fact]
    public async Task V2PagesCarryTotalsAndSortedRelativeLinks()
    {
        using var admin = await fixture.Admin();
        var (org, spaces) = await OrgWithSpacesAsync(admin, 5);
        var path = $"/v2/organizations/{org}/spaces";

        var first = await (await admin.GetAsync($"{path}?results-per-page=2")).JsonAsync(HttpStatusCode.OK);
        var last = await (await admin.GetAsync($"{path}?results-per-page=2&page=3")).JsonAsync(HttpStatusCode.OK);
        var beyond = await (await admin.GetAsync($"{path}?results-per-page=2&page=4")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(5, first.GetProperty("total_results").GetInt32());
        Assert.Equal(3, first.GetProperty("total_pages").GetInt32());
        Assert.Null(first.GetProperty("prev_url").GetString());
        Assert.Equal($"{path}?order-direction=asc&page=2&results-per-page=2", first.GetProperty("next_url").GetString());
        Assert.Equal(spaces[..2], first.GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("metadata").GetProperty("guid").GetString()!));
        Assert.Equal(spaces[4], last.GetProperty("resources")[0].GetProperty("metadata").GetProperty("guid").GetString());
        Assert.Null(last.GetProperty("next_url").GetString());
        Assert.Equal($"{path}?order-direction=asc&page=2&results-per-page=2", last.GetProperty("prev_url").GetString());
        Assert.Equal(0, beyond.GetProperty("resources").GetArrayLength());
    }

    [Fact]
    public async Task V2OrderDirectionAndOrderByNameSort()
    {
        using var admin = await fixture.Admin();
        var (org, spaces) = await OrgWithSpacesAsync(admin, 3);

        var desc = await (await admin.GetAsync($"/v2/organizations/{org}/spaces?order-direction=desc")).JsonAsync(HttpStatusCode.OK);
        var byName = await (await admin.GetAsync($"/v2/spaces?q=organization_guid:{org}&order-by=name&order-direction=desc")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(spaces.AsEnumerable().Reverse(), desc.GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("metadata").GetProperty("guid").GetString()!));
        Assert.Equal(["s2", "s1", "s0"], byName.GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("entity").GetProperty("name").GetString()!));
    }

    [Fact]
    public async Task V2FiltersSupportInListsAndKeepQInLinks()
    {
        using var admin = await fixture.Admin();
        var (org, _) = await OrgWithSpacesAsync(admin, 3);

        var json = await (await admin.GetAsync($"/v2/spaces?q=name%20IN%20s0,s2&q=organization_guid:{org}&results-per-page=1")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(2, json.GetProperty("total_results").GetInt32());
        Assert.Equal(
            $"/v2/spaces?order-direction=asc&page=2&q=name%20IN%20s0%2Cs2&q=organization_guid%3A{org}&results-per-page=1",
            json.GetProperty("next_url").GetString());
    }

    [Theory]
    [InlineData("results-per-page=101")]
    [InlineData("results-per-page=0")]
    [InlineData("page=0")]
    [InlineData("page=abc")]
    [InlineData("order-direction=sideways")]
    [InlineData("q=colour:blue")]
    [InlineData("q=name>x")]
    [InlineData("inline-relations-depth=4")]
    public async Task BadV2QueryParametersAreBadQueryParameter(string query)
    {
        using var admin = await fixture.Admin();

        await (await admin.GetAsync($"/v2/spaces?{query}")).V2ErrorAsync(HttpStatusCode.BadRequest, 10005, "CF-BadQueryParameter");
    }

    [Fact]
    public async Task V3PagesCarryFirstLastNextPrevious()
    {
        using var admin = await fixture.Admin();
        var (org, spaces) = await OrgWithSpacesAsync(admin, 5);

        var page2 = await (await admin.GetAsync($"/v3/spaces?organization_guids={org}&per_page=2&page=2")).JsonAsync(HttpStatusCode.OK);

        var pagination = page2.GetProperty("pagination");
        Assert.Equal(5, pagination.GetProperty("total_results").GetInt32());
        Assert.Equal(3, pagination.GetProperty("total_pages").GetInt32());
        Assert.EndsWith($"/v3/spaces?page=1&per_page=2&organization_guids={org}", pagination.GetProperty("first").GetProperty("href").GetString(), StringComparison.Ordinal);
        Assert.EndsWith($"/v3/spaces?page=3&per_page=2&organization_guids={org}", pagination.GetProperty("last").GetProperty("href").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("page=3&per_page=2&organization_guids=" + org, pagination.GetProperty("next").GetProperty("href").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("page=1&per_page=2&organization_guids=" + org, pagination.GetProperty("previous").GetProperty("href").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("http", pagination.GetProperty("first").GetProperty("href").GetString(), StringComparison.Ordinal);
        Assert.Equal(spaces[2..4], page2.GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("guid").GetString()!));
    }

    [Fact]
    public async Task V3OrderByNameDescending()
    {
        using var admin = await fixture.Admin();
        var (org, _) = await OrgWithSpacesAsync(admin, 3);

        var json = await (await admin.GetAsync($"/v3/spaces?organization_guids={org}&order_by=-name")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(["s2", "s1", "s0"], json.GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("name").GetString()!));
        Assert.Equal(JsonNull, json.GetProperty("pagination").GetProperty("next").ValueKind);
    }

    [Theory]
    [InlineData("per_page=5001")]
    [InlineData("per_page=0")]
    [InlineData("page=0")]
    [InlineData("page=x")]
    [InlineData("order_by=colour")]
    [InlineData("colour=blue")]
    public async Task BadV3QueryParametersAreBadQueryParameter(string query)
    {
        using var admin = await fixture.Admin();

        var error = await (await admin.GetAsync($"/v3/organizations?{query}")).V3ErrorAsync(HttpStatusCode.BadRequest, 10005, "CF-BadQueryParameter");

        if (query.StartsWith("colour", StringComparison.Ordinal))
        {
            Assert.Contains("Unknown query parameter(s): 'colour'", error.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    private const System.Text.Json.JsonValueKind JsonNull = System.Text.Json.JsonValueKind.Null;

    private static async Task<(string Org, string[] Spaces)> OrgWithSpacesAsync(HttpClient admin, int count)
    {
        var org = await AuthTests.CreateOrgAsync(admin);
        var spaces = new string[count];
        for (var i = 0; i < count; i++)
        {
            spaces[i] = await OrganizationsAndSpacesTests.CreateSpaceAsync(admin, org, $"s{i}");
        }

        return (org, spaces);
    }
}
