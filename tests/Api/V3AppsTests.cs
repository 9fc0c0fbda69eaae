using System.Net;
using System.Text.Json;
using CloudController.Tests.Infrastructure;

namespace CloudController.Tests.Api;

[Collection(ApiTier1.Name)]
public sealed class V3AppsTests(CloudControllerFixture fixture)
{
    private static readonly string[] TwoBuildpacks = ["a", "b"];

    [Fact]
    public async Task CreatingAnAppAnswersTodaysShapeFromTheSeedEraBody()
    {
        using var http = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(await fixture.Admin());

        var response = await http.PostJsonAsync("/v3/apps", new
        {
            name = "my_app",
            relationships = new { space = new { guid = space } },
            environment_variables = new { open = "source" },
            lifecycle = new { type = "buildpack", data = new { buildpack = (string?)null, stack = (string?)null } },
        });

        var app = await response.JsonAsync(HttpStatusCode.Created);
        var guid = app.GetProperty("guid").GetString();
        Assert.Equal(
            ["guid", "name", "state", "desired_state", "total_desired_instances", "created_at", "updated_at", "lifecycle", "environment_variables", "relationships", "metadata", "links"],
            app.EnumerateObject().Select(p => p.Name));
        Assert.Equal("my_app", app.GetProperty("name").GetString());
        Assert.Equal("STOPPED", app.GetProperty("state").GetString());
        Assert.Equal(0, app.GetProperty("total_desired_instances").GetInt32());
        HttpAssertions.IsCfTimestamp(app.GetProperty("created_at"));
        Assert.Equal(app.GetProperty("created_at").GetString(), app.GetProperty("updated_at").GetString());
        Assert.Equal("buildpack", app.GetProperty("lifecycle").GetProperty("type").GetString());
        Assert.Empty(app.GetProperty("lifecycle").GetProperty("data").GetProperty("buildpacks").EnumerateArray());
        Assert.Equal("cflinuxfs2", app.GetProperty("lifecycle").GetProperty("data").GetProperty("stack").GetString());
        Assert.Equal("source", app.GetProperty("environment_variables").GetProperty("open").GetString());
        Assert.Equal(space, app.GetProperty("relationships").GetProperty("space").GetProperty("data").GetProperty("guid").GetString());
        Assert.Equal(JsonValueKind.Null, app.GetProperty("relationships").GetProperty("current_droplet").GetProperty("data").ValueKind);
        var links = app.GetProperty("links");
        var self = links.GetProperty("self").GetProperty("href").GetString()!;
        Assert.EndsWith($"/v3/apps/{guid}", self, StringComparison.Ordinal);
        Assert.StartsWith("http", self, StringComparison.Ordinal);
        Assert.Equal(response.Headers.Location!.ToString(), self);
        Assert.EndsWith($"/v3/spaces/{space}", links.GetProperty("space").GetProperty("href").GetString(), StringComparison.Ordinal);
        Assert.Equal("POST", links.GetProperty("start").GetProperty("method").GetString());
        Assert.Equal($"{self}/actions/stop", links.GetProperty("stop").GetProperty("href").GetString());
        Assert.Equal($"{self}/droplets/current", links.GetProperty("current_droplet").GetProperty("href").GetString());
        Assert.Equal($"{self}/environment_variables", links.GetProperty("environment_variables").GetProperty("href").GetString());
    }

    [Fact]
    public async Task TodaysBodyCreatesAnAppWithMetadataAndTheNameIsTakenOncePerSpace()
    {
        using var http = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(await fixture.Admin());
        var body = new
        {
            name = "today",
            relationships = new { space = new { data = new { guid = space } } },
            lifecycle = new { type = "buildpack", data = new { buildpacks = new[] { "nodejs_buildpack" }, stack = "cflinuxfs2" } },
            metadata = new { labels = new { tier = "web" }, annotations = new { owner = "team-a" } },
        };

        var app = await (await http.PostJsonAsync("/v3/apps", body)).JsonAsync(HttpStatusCode.Created);
        var taken = await (await http.PostJsonAsync("/v3/apps", body)).V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        var twoBuildpacks = await (await http.PostJsonAsync("/v3/apps", new
        {
            name = "two",
            relationships = new { space = new { data = new { guid = space } } },
            lifecycle = new { type = "buildpack", data = new { buildpacks = TwoBuildpacks } },
        })).V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        var guid = app.GetProperty("guid").GetString();
        var read = await (await http.GetAsync($"/v3/apps/{guid}")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal("App with the name 'today' already exists.", taken.GetProperty("detail").GetString());
        Assert.Contains("one buildpack", twoBuildpacks.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(["nodejs_buildpack"], read.GetProperty("lifecycle").GetProperty("data").GetProperty("buildpacks").EnumerateArray().Select(b => b.GetString()));
        Assert.Equal("web", read.GetProperty("metadata").GetProperty("labels").GetProperty("tier").GetString());
        Assert.Equal("team-a", read.GetProperty("metadata").GetProperty("annotations").GetProperty("owner").GetString());
        Assert.Equal("today", (await BitsTests.EntityAsync(http, guid!)).GetProperty("name").GetString());
    }

    [Fact]
    public async Task ALifecycleDefaultsToBuildpackOnTheDefaultStack()
    {
        using var http = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(await fixture.Admin());

        var app = await (await http.PostJsonAsync("/v3/apps", new { name = "plain", relationships = new { space = new { guid = space } } })).JsonAsync(HttpStatusCode.Created);

        Assert.Equal("buildpack", app.GetProperty("lifecycle").GetProperty("type").GetString());
        Assert.Equal("cflinuxfs2", app.GetProperty("lifecycle").GetProperty("data").GetProperty("stack").GetString());
        Assert.Empty(app.GetProperty("environment_variables").EnumerateObject());
    }

    public static TheoryData<string, int, int> InvalidBodies() => new()
    {
        { "{\"relationships\":{\"space\":{\"guid\":\"SPACE\"}}}", 422, 10008 },
        { "{\"name\":5,\"relationships\":{\"space\":{\"guid\":\"SPACE\"}}}", 422, 10008 },
        { "{\"name\":\"x\"}", 422, 10008 },
        { "{\"name\":\"x\",\"relationships\":{\"space\":\"SPACE\"}}", 422, 10008 },
        { "{\"name\":\"x\",\"relationships\":{\"space\":{\"guid\":\"SPACE\"}},\"colour\":\"red\"}", 422, 10008 },
        { "{\"name\":\"x\",\"relationships\":{\"space\":{\"guid\":\"SPACE\"}},\"environment_variables\":{\"VCAP_X\":\"1\"}}", 422, 10008 },
        { "{\"name\":\"x\",\"relationships\":{\"space\":{\"guid\":\"SPACE\"}},\"environment_variables\":{\"CF_X\":\"1\"}}", 422, 10008 },
        { "{\"name\":\"x\",\"relationships\":{\"space\":{\"guid\":\"SPACE\"}},\"environment_variables\":{\"PORT\":\"1\"}}", 422, 10008 },
        { "{\"name\":\"x\",\"relationships\":{\"space\":{\"guid\":\"SPACE\"}},\"environment_variables\":[1]}", 422, 10008 },
        { "{\"name\":\"x\",\"relationships\":{\"space\":{\"guid\":\"SPACE\"}},\"lifecycle\":{\"type\":\"rocket\",\"data\":{}}}", 422, 10008 },
        { "{\"name\":\"x\",\"relationships\":{\"space\":{\"guid\":\"SPACE\"}},\"lifecycle\":{\"type\":\"buildpack\"}}", 422, 10008 },
        { "{\"name\":\"x\",\"relationships\":{\"space\":{\"guid\":\"SPACE\"}},\"lifecycle\":{\"type\":\"buildpack\",\"data\":{\"buildpack\":\"nope nope\"}}}", 422, 10008 },
        { "{\"name\":\"x\",\"relationships\":{\"space\":{\"guid\":\"SPACE\"}},\"lifecycle\":{\"type\":\"buildpack\",\"data\":{\"stack\":\"windows\"}}}", 422, 10008 },
        { "{\"name\":\"x\",\"relationships\":{\"space\":{\"guid\":\"SPACE\"}},\"lifecycle\":{\"type\":\"docker\",\"data\":{}}}", 403, 330002 },
        { "{\"name\":\"x\",\"relationships\":{\"space\":{\"guid\":\"7e7e7e7e-0000-4000-8000-000000000000\"}}}", 404, 10010 },
        { "{\"name\":\"x\",", 400, 1001 },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task InvalidCreatesAreV3Errors(string body, int status, int code)
    {
        using var http = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(await fixture.Admin());

        var response = await http.PostAsync("/v3/apps", HttpAssertions.Raw(body.Replace("SPACE", space, StringComparison.Ordinal)));

        var error = await response.JsonAsync((HttpStatusCode)status);
        Assert.Equal(code, error.GetProperty("errors")[0].GetProperty("code").GetInt32());
        Assert.StartsWith("CF-", error.GetProperty("errors")[0].GetProperty("title").GetString(), StringComparison.Ordinal);
        var listed = await (await http.GetAsync($"/v2/spaces/{space}/apps")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(0, listed.GetProperty("total_results").GetInt32());
    }

    [Fact]
    public async Task ADuplicateNameInTheSpaceIsUnprocessable()
    {
        using var http = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(await fixture.Admin());
        await AppsTests.NewAppAsync(http, space, "taken");

        var error = await (await http.PostJsonAsync("/v3/apps", new { name = "taken", relationships = new { space = new { guid = space } } }))
            .V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");

        Assert.Equal("App with the name 'taken' already exists.", error.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task V2AndV3SeeTheSameAppBothWays()
    {
        using var http = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(await fixture.Admin());
        var fromV2 = await AppsTests.NewAppAsync(http, space, "from-v2");
        var fromV3 = (await (await http.PostJsonAsync("/v3/apps", new
        {
            name = "from-v3",
            relationships = new { space = new { guid = space } },
            environment_variables = new { A = "1" },
            lifecycle = new { type = "buildpack", data = new { buildpack = "ruby_buildpack" } },
        })).JsonAsync(HttpStatusCode.Created)).GetProperty("guid").GetString();

        var v3OfV2 = await (await http.GetAsync($"/v3/apps/{fromV2}")).JsonAsync(HttpStatusCode.OK);
        var v2OfV3 = await BitsTests.EntityAsync(http, fromV3!);

        Assert.Equal("from-v2", v3OfV2.GetProperty("name").GetString());
        Assert.Equal("STOPPED", v3OfV2.GetProperty("desired_state").GetString());
        Assert.Equal("from-v3", v2OfV3.GetProperty("name").GetString());
        Assert.Equal(space, v2OfV3.GetProperty("space_guid").GetString());
        Assert.Equal("1", v2OfV3.GetProperty("environment_json").GetProperty("A").GetString());
        Assert.Equal("ruby_buildpack", v2OfV3.GetProperty("buildpack").GetString());
        Assert.Equal("PENDING", v2OfV3.GetProperty("package_state").GetString());
        var v3List = await (await http.GetAsync($"/v3/apps?space_guids={space}&order_by=name")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(["from-v2", "from-v3"], v3List.GetProperty("resources").EnumerateArray().Select(a => a.GetProperty("name").GetString()!));
    }

    [Fact]
    public async Task AppsAreListedWithV3FiltersAndPagination()
    {
        using var http = await fixture.As("writer");
        using var admin = await fixture.Admin();
        var org = await AuthTests.CreateOrgAsync(admin);
        var space = await OrganizationsAndSpacesTests.CreateSpaceAsync(admin, org, "dev");
        var a = await AppsTests.NewAppAsync(http, space, "a");
        await AppsTests.NewAppAsync(http, space, "b");
        await AppsTests.NewAppAsync(http, space, "c");

        var page = await (await http.GetAsync($"/v3/apps?organization_guids={org}&per_page=2")).JsonAsync(HttpStatusCode.OK);
        var byName = await (await http.GetAsync($"/v3/apps?space_guids={space}&names=a,c&order_by=-name")).JsonAsync(HttpStatusCode.OK);
        var byGuid = await (await http.GetAsync($"/v3/apps?guids={a}")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(3, page.GetProperty("pagination").GetProperty("total_results").GetInt32());
        Assert.EndsWith($"/v3/apps?page=2&per_page=2&organization_guids={org}", page.GetProperty("pagination").GetProperty("next").GetProperty("href").GetString(), StringComparison.Ordinal);
        Assert.Equal(["c", "a"], byName.GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("name").GetString()!));
        Assert.Equal(a, byGuid.GetProperty("resources")[0].GetProperty("guid").GetString());
        await (await http.GetAsync("/v3/apps?space_guid=x")).V3ErrorAsync(HttpStatusCode.BadRequest, 10005, "CF-BadQueryParameter");
    }

    [Fact]
    public async Task PatchUpdatesNameEnvironmentAndLifecycle()
    {
        using var http = await fixture.As("writer");
        var app = await AppsTests.NewAppAsync(http, await AppsTests.NewSpaceAsync(await fixture.Admin()));

        var patched = await (await http.PatchAsync($"/v3/apps/{app}", HttpAssertions.Json(new
        {
            name = "renamed",
            environment_variables = new { K = "v" },
            lifecycle = new { type = "buildpack", data = new { buildpack = "https://github.com/cloudfoundry/go-buildpack" } },
        }))).JsonAsync(HttpStatusCode.OK);

        Assert.Equal("renamed", patched.GetProperty("name").GetString());
        Assert.Equal("v", patched.GetProperty("environment_variables").GetProperty("K").GetString());
        Assert.Equal("https://github.com/cloudfoundry/go-buildpack", patched.GetProperty("lifecycle").GetProperty("data").GetProperty("buildpack").GetString());
        HttpAssertions.IsCfTimestamp(patched.GetProperty("updated_at"));
        Assert.Equal("renamed", (await BitsTests.EntityAsync(http, app)).GetProperty("name").GetString());
        await (await http.PatchAsync($"/v3/apps/{app}", HttpAssertions.Json(new { memory = 5 }))).V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
    }

    [Fact]
    public async Task DeletedAppsAreGoneInBothVersions()
    {
        using var http = await fixture.As("writer");
        var app = await AppsTests.NewAppAsync(http, await AppsTests.NewSpaceAsync(await fixture.Admin()));

        var delete = await http.DeleteAsync($"/v3/apps/{app}");
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        Assert.Equal("app.delete", (await V3PlatformTests.PollJobAsync(http, delete.Headers.Location!)).GetProperty("operation").GetString());

        var error = await (await http.GetAsync($"/v3/apps/{app}")).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ResourceNotFound");
        Assert.Equal("App not found", error.GetProperty("detail").GetString());
        await (await http.GetAsync($"/v2/apps/{app}")).V2ErrorAsync(HttpStatusCode.NotFound, 100004, "CF-AppNotFound");
        await (await http.DeleteAsync($"/v3/apps/{app}")).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ResourceNotFound");
        await (await http.GetAsync("/v3/apps/not-a-guid")).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ResourceNotFound");
    }

    [Fact]
    public async Task StartNeedsACurrentDropletAndThenRunsIt()
    {
        using var http = await fixture.As("writer");
        var bare = await AppsTests.NewAppAsync(http, await AppsTests.NewSpaceAsync(await fixture.Admin()));
        var staged = await new StagingTests(fixture).AppWithBitsAsync(http, ("package.json", "{}"));
        await (await http.PutJsonAsync($"/v2/apps/{staged}", new { state = "STARTED" })).JsonAsync(HttpStatusCode.Created);
        await StagingTests.WaitForStagingAsync(http, staged);
        await (await http.PutAsync($"/v3/apps/{staged}/stop", null)).JsonAsync(HttpStatusCode.OK);

        var error = await (await http.PostAsync($"/v3/apps/{bare}/actions/start", null)).V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        var restartBare = await (await http.PostAsync($"/v3/apps/{bare}/actions/restart", null)).V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        var started = await (await http.PostAsync($"/v3/apps/{staged}/actions/start", null)).JsonAsync(HttpStatusCode.OK);
        var restarted = await (await http.PostAsync($"/v3/apps/{staged}/actions/restart", null)).JsonAsync(HttpStatusCode.OK);
        var stopped = await (await http.PostAsync($"/v3/apps/{staged}/actions/stop", null)).JsonAsync(HttpStatusCode.OK);
        var seedEra = await (await http.PutAsync($"/v3/apps/{staged}/start", null)).JsonAsync(HttpStatusCode.OK);

        Assert.Equal("Assign a droplet before starting this app.", error.GetProperty("detail").GetString());
        Assert.Equal("Assign a droplet before starting this app.", restartBare.GetProperty("detail").GetString());
        Assert.Equal("STARTED", started.GetProperty("state").GetString());
        Assert.Equal(1, started.GetProperty("total_desired_instances").GetInt32());
        Assert.Equal(JsonValueKind.String, started.GetProperty("relationships").GetProperty("current_droplet").GetProperty("data").GetProperty("guid").ValueKind);
        Assert.Equal("STARTED", restarted.GetProperty("state").GetString());
        Assert.Equal("STOPPED", stopped.GetProperty("state").GetString());
        Assert.Equal("STARTED", seedEra.GetProperty("state").GetString());
        Assert.Equal("STAGED", (await BitsTests.EntityAsync(http, staged)).GetProperty("package_state").GetString());
    }

    [Fact]
    public async Task EnvShowsTheAppsVariablesAndVcapApplication()
    {
        using var http = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(await fixture.Admin());
        var app = (await (await http.PostJsonAsync("/v3/apps", new { name = "env", relationships = new { space = new { guid = space } }, environment_variables = new { X = "y" } }))
            .JsonAsync(HttpStatusCode.Created)).GetProperty("guid").GetString();

        var env = await (await http.GetAsync($"/v3/apps/{app}/env")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal("y", env.GetProperty("environment_variables").GetProperty("X").GetString());
        Assert.Equal("env", env.GetProperty("application_env_json").GetProperty("VCAP_APPLICATION").GetProperty("application_name").GetString());
        Assert.Equal(JsonValueKind.Object, env.GetProperty("system_env_json").GetProperty("VCAP_SERVICES").ValueKind);
    }

    [Fact]
    public async Task WritesNeedTheWriteScopeAndSayNotAuthorized()
    {
        using var reader = await fixture.As("reader");
        var space = await AppsTests.NewSpaceAsync(await fixture.Admin());

        await (await reader.PostJsonAsync("/v3/apps", new { name = "x", relationships = new { space = new { guid = space } } }))
            .V3ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");
    }
}
