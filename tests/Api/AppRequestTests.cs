using System.Net;
using CloudController.Tests.Infrastructure;

namespace CloudController.Tests.Api;

/// <summary>The v2 app body bound as a typed request: what it accepts, what it refuses and how, and that a refusal stores nothing.</summary>
[Collection(ApiTier4.Name)]
public sealed class AppRequestTests(CloudControllerFixture fixture)
{
    [Fact]
    public async Task WrongTypesAndValuesAreRefusedNamingTheFieldAndChangeNothing()
    {
        using var http = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(await fixture.Admin());
        var created = await (await http.PostJsonAsync("/v2/apps", new { name = "typed", space_guid = space, command = "run me", memory = 256 }))
            .JsonAsync(HttpStatusCode.Created);
        var app = created.GetProperty("metadata").GetProperty("guid").GetString();

        var wrongType = await (await http.PutJsonAsync($"/v2/apps/{app}", new { memory = "lots" })).V2ErrorAsync(HttpStatusCode.BadRequest, 1001, "CF-MessageParseError");
        Assert.Contains("Field: memory, Error: must be an integer", wrongType.GetProperty("description").GetString(), StringComparison.Ordinal);
        var notAHash = await (await http.PutJsonAsync($"/v2/apps/{app}", new { environment_json = "A=B" })).V2ErrorAsync(HttpStatusCode.BadRequest, 1001, "CF-MessageParseError");
        Assert.Contains("environment_json", notAHash.GetProperty("description").GetString(), StringComparison.Ordinal);
        var state = await (await http.PutJsonAsync($"/v2/apps/{app}", new { state = "RUNNING" })).V2ErrorAsync(HttpStatusCode.BadRequest, 100001, "CF-AppInvalid");
        Assert.Contains("Invalid app state provided", state.GetProperty("description").GetString(), StringComparison.Ordinal);
        await (await http.PutAsync($"/v2/apps/{app}", HttpAssertions.Raw("""{"ports":[80]}"""))).V2ErrorAsync(HttpStatusCode.BadRequest, 100001, "CF-AppInvalid");
        await (await http.PutJsonAsync($"/v2/apps/{app}", new { stack_guid = "not-a-guid" })).V2ErrorAsync(HttpStatusCode.BadRequest, 1002, "CF-InvalidRelation");
        await (await http.PostJsonAsync("/v2/apps", new { space_guid = space })).V2ErrorAsync(HttpStatusCode.BadRequest, 1001, "CF-MessageParseError");
        await (await http.PostAsync("/v2/apps", HttpAssertions.Raw("[1,2]"))).V2ErrorAsync(HttpStatusCode.BadRequest, 1001, "CF-MessageParseError");

        var unchanged = await BitsTests.EntityAsync(http, app!);
        Assert.Equal(256, unchanged.GetProperty("memory").GetInt32());
        Assert.Equal("run me", unchanged.GetProperty("command").GetString());

        // An explicit null clears an optional setting; leaving it out keeps it; unknown fields are ignored as CF does.
        await (await http.PutAsync($"/v2/apps/{app}", HttpAssertions.Raw("""{"memory":512,"route_guids":[],"colour":"blue"}"""))).JsonAsync(HttpStatusCode.Created);
        Assert.Equal("run me", (await BitsTests.EntityAsync(http, app!)).GetProperty("command").GetString());
        await (await http.PutAsync($"/v2/apps/{app}", HttpAssertions.Raw("""{"command":null}"""))).JsonAsync(HttpStatusCode.Created);
        var cleared = await BitsTests.EntityAsync(http, app!);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, cleared.GetProperty("command").ValueKind);
        Assert.Equal(512, cleared.GetProperty("memory").GetInt32());
    }
}
