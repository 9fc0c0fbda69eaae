using System.Net;
using CloudController.Tests.Infrastructure;

namespace CloudController.Tests.Api;

/// <summary><c>/v2/users</c>: the Cloud Controller's record of UAA users, as <c>cf create-user</c> writes it.</summary>
[Collection(ApiTier4.Name)]
public sealed class CcUsersTests(CloudControllerFixture fixture)
{
    [Fact]
    public async Task AdminsRecordUaaUsersOnceAndUsersReadOnlyThemselves()
    {
        using var admin = await fixture.Admin();
        var name = $"cc-{Guid.NewGuid():N}";
        var id = (await (await admin.PostJsonAsync("/Users", new { userName = name, password = "pw" })).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetString()!;

        var created = await (await admin.PostJsonAsync("/v2/users", new { guid = id })).JsonAsync(HttpStatusCode.Created);
        await (await admin.PostJsonAsync("/v2/users", new { guid = id })).V2ErrorAsync(HttpStatusCode.BadRequest, 20002, "CF-UaaIdTaken");
        using var self = fixture.Anonymous();
        self.DefaultRequestHeaders.Authorization = new("bearer", await CloudControllerFixture.PasswordGrantAsync(self, name, "pw"));
        var own = await (await self.GetAsync($"/v2/users/{id}")).JsonAsync(HttpStatusCode.OK);
        var listed = await (await admin.GetAsync("/v2/users?results-per-page=100")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(id, created.GetProperty("metadata").GetProperty("guid").GetString());
        Assert.Equal(name, created.GetProperty("entity").GetProperty("username").GetString());
        Assert.False(created.GetProperty("entity").GetProperty("admin").GetBoolean());
        Assert.Equal(id, own.GetProperty("metadata").GetProperty("guid").GetString());
        Assert.True(listed.GetProperty("total_results").GetInt32() >= 1);
        await (await self.GetAsync("/v2/users")).V2ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");
        await (await self.PostJsonAsync("/v2/users", new { guid = Guid.NewGuid() })).V2ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");
        using var writer = await fixture.As("writer");
        await (await writer.GetAsync($"/v2/users/{id}")).V2ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");

        var job = await (await admin.DeleteAsync($"/v2/users/{id}?async=true")).JsonAsync(HttpStatusCode.Accepted);
        Assert.Equal("finished", job.GetProperty("entity").GetProperty("status").GetString());
        await (await admin.GetAsync($"/v2/users/{id}")).V2ErrorAsync(HttpStatusCode.NotFound, 20003, "CF-UserNotFound");
        await (await admin.PostJsonAsync("/v2/users", new { })).V2ErrorAsync(HttpStatusCode.BadRequest, 1001, "CF-MessageParseError");
    }
}
