using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using CloudController.Tests.Infrastructure;

namespace CloudController.Tests.Api;

/// <summary>UAA users through SCIM, as <c>cf create-user</c> and client libraries use them, and their logins.</summary>
[Collection(ApiTier4.Name)]
public sealed class UaaUsersTests(CloudControllerFixture fixture)
{
    [Fact]
    public async Task ACreatedUserLogsInWithItsOwnIdAndScopesAndItsPasswordIsStoredOnlyHashed()
    {
        using var admin = await fixture.Admin();
        var name = $"dev-{Guid.NewGuid():N}";
        const string password = "s3cret-Pa55word";

        var created = await (await admin.PostJsonAsync("/Users", new
        {
            userName = name,
            password,
            origin = "uaa",
            name = new { familyName = name, givenName = name },
            emails = new[] { new { value = name, primary = true } },
        })).JsonAsync(HttpStatusCode.Created);
        var id = created.GetProperty("id").GetString()!;
        using var anonymous = fixture.Anonymous();
        var token = await CloudControllerFixture.PasswordGrantAsync(anonymous, name, password);
        var claims = (JsonObject)JsonNode.Parse(Base64Url.DecodeFromChars(token.Split('.')[1]))!;

        Assert.Equal("uaa", created.GetProperty("origin").GetString());
        Assert.Equal(id, claims["user_id"]!.GetValue<string>());
        Assert.Equal(name, claims["user_name"]!.GetValue<string>());
        Assert.Equal("uaa", claims["origin"]!.GetValue<string>());
        Assert.Equal(["cloud_controller.read", "cloud_controller.write", "openid"], claims["scope"]!.AsArray().Select(s => s!.GetValue<string>()).Order());
        var stored = new List<string>();
        var container = fixture.Blobs.GetBlobContainerClient(fixture.GrainStateContainer);
        foreach (var blob in (await fixture.BlobNamesAsync(fixture.GrainStateContainer)).Where(b => b.Contains("uaa-user", StringComparison.Ordinal)))
        {
            stored.Add((await container.GetBlobClient(blob).DownloadContentAsync()).Value.Content.ToString());
        }

        Assert.Contains(stored, s => s.Contains(id, StringComparison.Ordinal));
        Assert.DoesNotContain(stored, s => s.Contains(password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task NamesAreUniqueIgnoringCaseAndAWrongPasswordIsUnauthorized()
    {
        using var admin = await fixture.Admin();
        var name = $"Dup-{Guid.NewGuid():N}";
        await (await admin.PostJsonAsync("/Users", new { userName = name, password = "pw-one" })).JsonAsync(HttpStatusCode.Created);

        var again = await (await admin.PostJsonAsync("/Users", new { userName = name.ToLowerInvariant(), password = "pw-two" })).JsonAsync(HttpStatusCode.Conflict);
        var configured = await (await admin.PostJsonAsync("/Users", new { userName = "admin", password = "x" })).JsonAsync(HttpStatusCode.Conflict);
        using var anonymous = fixture.Anonymous();
        using var wrong = new HttpRequestMessage(HttpMethod.Post, "/oauth/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "password", ["username"] = name, ["password"] = "pw-two" }),
        };
        wrong.Headers.Authorization = new AuthenticationHeaderValue("Basic", "Y2Y6");

        Assert.Equal("scim_resource_already_exists", again.GetProperty("error").GetString());
        Assert.Equal("scim_resource_already_exists", configured.GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(wrong)).StatusCode);
        await CloudControllerFixture.PasswordGrantAsync(anonymous, name.ToUpperInvariant(), "pw-one");
    }

    [Fact]
    public async Task TheCliLookupByNameAnswersOnlyTheAskedAttributesAndADeletedUserIsGone()
    {
        using var admin = await fixture.Admin();
        var name = $"look-{Guid.NewGuid():N}";
        var id = (await (await admin.PostJsonAsync("/Users", new { userName = name, password = "pw" })).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetString()!;

        var found = await (await admin.GetAsync($"/Users?attributes=id,userName&filter=userName+Eq+%22{name}%22")).JsonAsync(HttpStatusCode.OK);
        var one = await (await admin.GetAsync($"/Users/{id}")).JsonAsync(HttpStatusCode.OK);
        var all = await (await admin.GetAsync("/Users")).JsonAsync(HttpStatusCode.OK);
        Assert.Contains(id, all.GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        var deleted = await (await admin.DeleteAsync($"/Users/{id}")).JsonAsync(HttpStatusCode.OK);
        var missing = await (await admin.GetAsync($"/Users/{id}")).JsonAsync(HttpStatusCode.NotFound);
        var none = await (await admin.GetAsync($"/Users?filter=userName+eq+%22{name}%22")).JsonAsync(HttpStatusCode.OK);
        var badFilter = await (await admin.GetAsync("/Users?filter=password+eq+%22x%22")).JsonAsync(HttpStatusCode.BadRequest);

        var resource = Assert.Single(found.GetProperty("resources").EnumerateArray());
        Assert.Equal(["id", "userName"], resource.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(id, resource.GetProperty("id").GetString());
        Assert.Equal(name, one.GetProperty("userName").GetString());
        Assert.Equal(id, deleted.GetProperty("id").GetString());
        Assert.Equal("scim_resource_not_found", missing.GetProperty("error").GetString());
        Assert.Equal(0, none.GetProperty("totalResults").GetInt32());
        Assert.Equal("invalid_filter", badFilter.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized, "unauthorized")]
    [InlineData("writer", HttpStatusCode.Forbidden, "insufficient_scope")]
    public async Task ScimNeedsItsScopesAndAnswersInUaasShape(string? user, HttpStatusCode status, string error)
    {
        using var http = user is null ? fixture.Anonymous() : await fixture.As(user);

        var created = await (await http.PostJsonAsync("/Users", new { userName = $"x-{Guid.NewGuid():N}", password = "pw" })).JsonAsync(status);
        var listed = await (await http.GetAsync("/Users")).JsonAsync(status);

        Assert.Equal(error, created.GetProperty("error").GetString());
        Assert.Equal(error, listed.GetProperty("error").GetString());
    }

    [Fact]
    public async Task AnOversizedUserIsRefusedUnread()
    {
        using var admin = await fixture.Admin();
        var padding = new string('x', 100_000);

        var json = await (await admin.PostJsonAsync("/Users", new { userName = "big", password = "pw", padding })).JsonAsync(HttpStatusCode.RequestEntityTooLarge);

        Assert.Equal("invalid_scim_resource", json.GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("{\"password\":\"pw\"}", HttpStatusCode.BadRequest, "invalid_scim_resource")]
    [InlineData("{\"userName\":\"a\"}", HttpStatusCode.BadRequest, "invalid_password")]
    [InlineData("{\"userName\":", HttpStatusCode.BadRequest, "invalid_scim_resource")]
    [InlineData("[1]", HttpStatusCode.BadRequest, "invalid_scim_resource")]
    public async Task BadUsersAreUaaErrors(string body, HttpStatusCode status, string error)
    {
        using var admin = await fixture.Admin();

        var json = await (await admin.PostAsync("/Users", new StringContent(body, System.Text.Encoding.UTF8, "application/json"))).JsonAsync(status);

        Assert.Equal(error, json.GetProperty("error").GetString());
    }
}
