using System.Net;
using CloudController.Tests.Infrastructure;

namespace CloudController.Tests.Api;

/// <summary>State is in blob storage, not in activations: a new silo reads everything back.</summary>
[Collection(CloudControllerSuite.Name)]
public sealed class RestartTests(CloudControllerFixture fixture)
{
    [Fact]
    public async Task OrganizationsSpacesAndNameClaimsSurviveASiloRestart()
    {
        using var admin = await fixture.Admin();
        var name = $"durable-{Guid.NewGuid():N}";
        var org = await AuthTests.CreateOrgAsync(admin, name);
        var space = await OrganizationsAndSpacesTests.CreateSpaceAsync(admin, org, "dev");
        var before = await (await admin.GetAsync($"/v2/organizations/{org}")).Content.ReadAsStringAsync();

        await fixture.RestartSiloAsync();

        var after = await RetryUntilServedAsync(() => admin.GetAsync($"/v2/organizations/{org}"));
        Assert.Equal(before, await after.Content.ReadAsStringAsync());
        var spaces = await (await admin.GetAsync($"/v2/organizations/{org}/spaces")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(space, spaces.GetProperty("resources")[0].GetProperty("metadata").GetProperty("guid").GetString());
        await (await admin.PostJsonAsync("/v2/organizations", new { name })).V2ErrorAsync(HttpStatusCode.BadRequest, 30002, "CF-OrganizationNameTaken");
    }

    // The api's Orleans client reconnects to the new silo's gateway on its own; give it a bounded moment.
    private static async Task<HttpResponseMessage> RetryUntilServedAsync(Func<Task<HttpResponseMessage>> send)
    {
        for (var attempt = 0; ; attempt++)
        {
            var response = await send();
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == 60)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                return response;
            }

            await Task.Delay(500);
        }
    }
}
