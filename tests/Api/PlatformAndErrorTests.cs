using System.Net;
using System.Text.Json;
using CloudController.Tests.Infrastructure;

namespace CloudController.Tests.Api;

[Collection(ApiTier4.Name)]
public sealed class PlatformAndErrorTests(CloudControllerFixture fixture)
{
    [Fact]
    public async Task InfoIsAnonymousAndAdvertisesTheTokenEndpoint()
    {
        using var http = fixture.Anonymous();

        var info = await (await http.GetAsync("/v2/info")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal("2.128.0", info.GetProperty("api_version").GetString());
        Assert.Equal(2, info.GetProperty("version").GetInt32());
        Assert.Equal("http://localhost", info.GetProperty("token_endpoint").GetString());
        Assert.Equal("http://localhost", info.GetProperty("authorization_endpoint").GetString());
    }

    [Fact]
    public async Task RootV3AndLoginDocumentsAreAnonymous()
    {
        using var http = fixture.Anonymous();

        var root = await (await http.GetAsync("/")).JsonAsync(HttpStatusCode.OK);
        var v3 = await (await http.GetAsync("/v3")).JsonAsync(HttpStatusCode.OK);
        var login = await (await http.GetAsync("/login")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal("http://localhost/v2", root.GetProperty("links").GetProperty("cloud_controller_v2").GetProperty("href").GetString());
        Assert.Equal("2.128.0", root.GetProperty("links").GetProperty("cloud_controller_v2").GetProperty("meta").GetProperty("version").GetString());
        Assert.Equal("http://localhost", root.GetProperty("links").GetProperty("uaa").GetProperty("href").GetString());
        Assert.Equal("http://localhost/v3/organizations", v3.GetProperty("links").GetProperty("organizations").GetProperty("href").GetString());
        Assert.Equal("http://localhost", login.GetProperty("links").GetProperty("uaa").GetString());
        Assert.Equal("password", login.GetProperty("prompts").GetProperty("password")[0].GetString());
    }

    [Fact]
    public async Task EveryResponseCarriesARequestIdAndEchoesTheCallers()
    {
        using var http = fixture.Anonymous();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/info");
        request.Headers.Add("X-VCAP-Request-ID", "caller-123");

        var echoed = await http.SendAsync(request);
        var error = await http.GetAsync("/v2/organizations");
        var unknown = await http.GetAsync("/v2/no-such-thing");

        Assert.StartsWith("caller-123::", echoed.Headers.GetValues("X-VCAP-Request-ID").Single(), StringComparison.Ordinal);
        Assert.True(Guid.TryParse(error.Headers.GetValues("X-VCAP-Request-ID").Single(), out _));
        Assert.True(unknown.Headers.Contains("X-VCAP-Request-ID"));
    }

    [Fact]
    public async Task UnknownRoutesAreCfNotFoundInTheirVersionsEnvelope()
    {
        using var admin = await fixture.Admin();

        await (await admin.GetAsync("/v2/no-such-thing")).V2ErrorAsync(HttpStatusCode.NotFound, 10000, "CF-NotFound");
        await (await admin.GetAsync("/v3/no-such-thing")).V3ErrorAsync(HttpStatusCode.NotFound, 10000, "CF-NotFound");
        await (await admin.PatchAsync("/v2/info", HttpAssertions.Raw("{}"))).V2ErrorAsync(HttpStatusCode.NotFound, 10000, "CF-NotFound");
    }

    [Fact]
    public async Task MalformedJsonIsAMessageParseErrorAndStoresNothing()
    {
        using var admin = await fixture.Admin();
        var name = $"half-{Guid.NewGuid():N}";

        await (await admin.PostAsync("/v2/organizations", HttpAssertions.Raw($"{{\"name\":\"{name}\""))).V2ErrorAsync(HttpStatusCode.BadRequest, 1001, "CF-MessageParseError");

        var listed = await (await admin.GetAsync($"/v2/organizations?q=name:{name}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(0, listed.GetProperty("total_results").GetInt32());
    }

    [Fact]
    public async Task TheDefaultStackIsListedAndReadable()
    {
        using var reader = await fixture.As("reader");

        var list = await (await reader.GetAsync("/v2/stacks?q=name:cflinuxfs2")).JsonAsync(HttpStatusCode.OK);
        var stack = list.GetProperty("resources")[0];
        var guid = stack.GetProperty("metadata").GetProperty("guid").GetString();
        var single = await (await reader.GetAsync($"/v2/stacks/{guid}")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(1, list.GetProperty("total_results").GetInt32());
        Assert.Equal("cflinuxfs2", single.GetProperty("entity").GetProperty("name").GetString());
        await (await reader.GetAsync($"/v2/stacks/{Guid.NewGuid()}")).V2ErrorAsync(HttpStatusCode.NotFound, 250003, "CF-StackNotFound");
    }

    [Fact]
    public async Task BuildpacksAreCreatedListedByPositionAndDeleted()
    {
        using var admin = await fixture.Admin();
        var late = $"late_{Guid.NewGuid():N}";
        var early = $"early_{Guid.NewGuid():N}";

        var created = await (await admin.PostJsonAsync("/v2/buildpacks", new { name = late, position = 9 })).JsonAsync(HttpStatusCode.Created);
        await (await admin.PostJsonAsync("/v2/buildpacks", new { name = early, position = 1, enabled = false })).JsonAsync(HttpStatusCode.Created);
        var listed = await (await admin.GetAsync($"/v2/buildpacks?q=name%20IN%20{late},{early}")).JsonAsync(HttpStatusCode.OK);
        var guid = created.GetProperty("metadata").GetProperty("guid").GetString();

        Assert.Equal([early, late], listed.GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("entity").GetProperty("name").GetString()!));
        Assert.True(created.GetProperty("entity").GetProperty("enabled").GetBoolean());
        Assert.Equal(JsonValueKind.Null, created.GetProperty("entity").GetProperty("filename").ValueKind);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/v2/buildpacks/{guid}")).StatusCode);
        await (await admin.GetAsync($"/v2/buildpacks/{guid}")).V2ErrorAsync(HttpStatusCode.NotFound, 10000, "CF-NotFound");
    }

    [Fact]
    public async Task BuildpackNamesAreUniqueAndValidated()
    {
        using var admin = await fixture.Admin();
        var name = $"bp_{Guid.NewGuid():N}";
        await (await admin.PostJsonAsync("/v2/buildpacks", new { name })).JsonAsync(HttpStatusCode.Created);

        await (await admin.PostJsonAsync("/v2/buildpacks", new { name })).V2ErrorAsync(HttpStatusCode.BadRequest, 290001, "CF-BuildpackNameTaken");
        await (await admin.PostJsonAsync("/v2/buildpacks", new { name = "bad name!" })).V2ErrorAsync(HttpStatusCode.BadRequest, 290003, "CF-BuildpackInvalid");
        await (await admin.PostJsonAsync("/v2/buildpacks", new { position = 1 })).V2ErrorAsync(HttpStatusCode.BadRequest, 1001, "CF-MessageParseError");
    }

    [Fact]
    public async Task OnlyAdminsManageBuildpacks()
    {
        using var writer = await fixture.As("writer");

        await (await writer.PostJsonAsync("/v2/buildpacks", new { name = "mine" })).V2ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");
        await (await writer.GetAsync("/v2/buildpacks")).JsonAsync(HttpStatusCode.OK);
    }
}
