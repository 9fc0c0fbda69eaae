using System.Net;
using System.Text.Json;
using CloudController.Tests.Infrastructure;

namespace CloudController.Tests.Api;

[Collection(ApiTier4.Name)]
public sealed class AppsTests(CloudControllerFixture fixture)
{
    private static readonly string[] EntityFields =
    [
        "name", "production", "space_guid", "stack_guid", "buildpack", "detected_buildpack", "environment_json", "memory",
        "instances", "disk_quota", "state", "version", "command", "console", "debug", "staging_task_id", "package_state",
        "health_check_type", "health_check_timeout", "health_check_http_endpoint", "staging_failed_reason", "staging_failed_description", "diego",
        "docker_image", "package_updated_at", "detected_start_command", "enable_ssh", "docker_credentials_json", "ports",
        "space_url", "stack_url", "routes_url", "events_url", "service_bindings_url", "route_mappings_url",
    ];

    [Fact]
    public async Task CreatingAnAppAnswersEveryV2FieldWithItsDefault()
    {
        using var http = await fixture.As("writer");
        using var admin = await fixture.Admin();
        var space = await NewSpaceAsync(admin);

        var response = await http.PostJsonAsync("/v2/apps", new { name = "web", space_guid = space });

        var json = await response.JsonAsync(HttpStatusCode.Created);
        var guid = json.GetProperty("metadata").GetProperty("guid").GetString();
        Assert.Equal($"/v2/apps/{guid}", response.Headers.Location?.OriginalString);
        var entity = json.GetProperty("entity");
        Assert.Equal(EntityFields, entity.EnumerateObject().Select(p => p.Name));
        Assert.Equal("STOPPED", entity.GetProperty("state").GetString());
        Assert.Equal("PENDING", entity.GetProperty("package_state").GetString());
        Assert.Equal(1024, entity.GetProperty("memory").GetInt32());
        Assert.Equal(1, entity.GetProperty("instances").GetInt32());
        Assert.Equal(1024, entity.GetProperty("disk_quota").GetInt32());
        Assert.Equal("port", entity.GetProperty("health_check_type").GetString());
        Assert.Equal("", entity.GetProperty("detected_start_command").GetString());
        Assert.Equal(JsonValueKind.Object, entity.GetProperty("environment_json").ValueKind);
        Assert.Equal(JsonValueKind.Null, entity.GetProperty("package_updated_at").ValueKind);
        Assert.Equal(JsonValueKind.Null, entity.GetProperty("ports").ValueKind);
        Assert.True(entity.GetProperty("enable_ssh").GetBoolean());
        Assert.False(entity.GetProperty("diego").GetBoolean());
        Assert.Equal("[PRIVATE DATA HIDDEN]", entity.GetProperty("docker_credentials_json").GetProperty("redacted_message").GetString());
        Assert.True(Guid.TryParse(entity.GetProperty("version").GetString(), out _));
        Assert.Equal($"/v2/spaces/{space}", entity.GetProperty("space_url").GetString());
        Assert.Equal($"/v2/apps/{guid}/route_mappings", entity.GetProperty("route_mappings_url").GetString());
        var stacks = await (await http.GetAsync("/v2/stacks?q=name:cflinuxfs2")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(stacks.GetProperty("resources")[0].GetProperty("metadata").GetProperty("guid").GetString(), entity.GetProperty("stack_guid").GetString());
    }

    [Fact]
    public async Task AnAppReadsBackUpdatesWith201AndDeletes()
    {
        using var http = await fixture.As("writer");
        var app = await NewAppAsync(http, await NewSpaceAsync(await fixture.Admin()));

        var updated = await (await http.PutJsonAsync($"/v2/apps/{app}", new { memory = 256, environment_json = new { FOO = "bar", N = 1 }, command = "run" }))
            .JsonAsync(HttpStatusCode.Created);
        var read = await (await http.GetAsync($"/v2/apps/{app}")).JsonAsync(HttpStatusCode.OK);
        var deleted = await http.DeleteAsync($"/v2/apps/{app}");

        Assert.Equal(256, updated.GetProperty("entity").GetProperty("memory").GetInt32());
        Assert.Equal("bar", read.GetProperty("entity").GetProperty("environment_json").GetProperty("FOO").GetString());
        Assert.Equal(1, read.GetProperty("entity").GetProperty("environment_json").GetProperty("N").GetInt32());
        Assert.Equal("run", read.GetProperty("entity").GetProperty("command").GetString());
        HttpAssertions.IsCfTimestamp(read.GetProperty("metadata").GetProperty("updated_at"));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await (await http.GetAsync($"/v2/apps/{app}")).V2ErrorAsync(HttpStatusCode.NotFound, 100004, "CF-AppNotFound");
    }

    [Fact]
    public async Task AppNamesAreUniquePerSpace()
    {
        using var http = await fixture.As("writer");
        using var admin = await fixture.Admin();
        var space = await NewSpaceAsync(admin);
        var other = await NewSpaceAsync(admin);
        await NewAppAsync(http, space, "web");

        var error = await (await http.PostJsonAsync("/v2/apps", new { name = "web", space_guid = space })).V2ErrorAsync(HttpStatusCode.BadRequest, 100002, "CF-AppNameTaken");
        await NewAppAsync(http, other, "web");

        Assert.Equal("The app name is taken: web", error.GetProperty("description").GetString());
    }

    [Theory]
    [InlineData("{\"space_guid\":\"SPACE\"}", 400, 1001, "CF-MessageParseError")]
    [InlineData("{\"name\":\"x\"}", 400, 1001, "CF-MessageParseError")]
    [InlineData("{\"name\":\"x\",\"space_guid\":\"SPACE\",\"memory\":\"lots\"}", 400, 1001, "CF-MessageParseError")]
    [InlineData("{\"name\":\"x\",\"space_guid\":\"4a4a4a4a-0000-4000-8000-000000000000\"}", 400, 1002, "CF-InvalidRelation")]
    [InlineData("{\"name\":\"x\",\"space_guid\":\"SPACE\",\"stack_guid\":\"4a4a4a4a-0000-4000-8000-000000000000\"}", 400, 1002, "CF-InvalidRelation")]
    [InlineData("{\"name\":\"x\",\"space_guid\":\"SPACE\",\"memory\":-1}", 400, 100006, "CF-AppMemoryInvalid")]
    [InlineData("{\"name\":\"x\",\"space_guid\":\"SPACE\",\"instances\":-1}", 400, 100001, "CF-AppInvalid")]
    [InlineData("{\"name\":\"x\",\"space_guid\":\"SPACE\",\"disk_quota\":4096}", 400, 100001, "CF-AppInvalid")]
    [InlineData("{\"name\":\"x\",\"space_guid\":\"SPACE\",\"state\":\"FLYING\"}", 400, 100001, "CF-AppInvalid")]
    [InlineData("{\"name\":\"x\",\"space_guid\":\"SPACE\",\"environment_json\":{\"VCAP_APPLICATION\":1}}", 400, 100001, "CF-AppInvalid")]
    [InlineData("{\"name\":\"x\",\"space_guid\":\"SPACE\",\"buildpack\":\"no_such_buildpack\"}", 400, 100001, "CF-AppInvalid")]
    [InlineData("{\"name\":\"x\",\"space_guid\":\"SPACE\",\"state\":\"STARTED\"}", 400, 150001, "CF-AppPackageInvalid")]
    [InlineData("{\"name\":\"x\",\"space_guid\":\"SPACE\",\"docker_image\":\"busybox\"}", 400, 320003, "CF-DockerDisabled")]
    public async Task InvalidAppBodiesAreCfErrorsAndCreateNothing(string body, int status, int code, string errorCode)
    {
        using var http = await fixture.As("writer");
        var space = await NewSpaceAsync(await fixture.Admin());

        await (await http.PostAsync("/v2/apps", HttpAssertions.Raw(body.Replace("SPACE", space, StringComparison.Ordinal))))
            .V2ErrorAsync((HttpStatusCode)status, code, errorCode);

        var listed = await (await http.GetAsync($"/v2/spaces/{space}/apps")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(0, listed.GetProperty("total_results").GetInt32());
    }

    [Fact]
    public async Task StartingAnAppWithoutBitsIsRejectedAndLeavesItStopped()
    {
        using var http = await fixture.As("writer");
        var app = await NewAppAsync(http, await NewSpaceAsync(await fixture.Admin()));

        var error = await (await http.PutJsonAsync($"/v2/apps/{app}", new { state = "STARTED" })).V2ErrorAsync(HttpStatusCode.BadRequest, 150001, "CF-AppPackageInvalid");
        var read = await (await http.GetAsync($"/v2/apps/{app}")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal("The app package is invalid: bits have not been uploaded", error.GetProperty("description").GetString());
        Assert.Equal("STOPPED", read.GetProperty("entity").GetProperty("state").GetString());
    }

    [Fact]
    public async Task AppsAreListedBySpaceNameAndOrganization()
    {
        using var http = await fixture.As("writer");
        using var admin = await fixture.Admin();
        var org = await AuthTests.CreateOrgAsync(admin);
        var space = await OrganizationsAndSpacesTests.CreateSpaceAsync(admin, org, "dev");
        var web = await NewAppAsync(http, space, "web");
        await NewAppAsync(http, space, "worker");

        var inSpace = await (await http.GetAsync($"/v2/spaces/{space}/apps?results-per-page=1")).JsonAsync(HttpStatusCode.OK);
        var byName = await (await http.GetAsync($"/v2/apps?q=space_guid:{space}&q=name:web")).JsonAsync(HttpStatusCode.OK);
        var byOrg = await (await http.GetAsync($"/v2/apps?q=organization_guid:{org}")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(2, inSpace.GetProperty("total_results").GetInt32());
        Assert.Equal($"/v2/spaces/{space}/apps?order-direction=asc&page=2&results-per-page=1", inSpace.GetProperty("next_url").GetString());
        Assert.Equal(web, byName.GetProperty("resources")[0].GetProperty("metadata").GetProperty("guid").GetString());
        Assert.Equal(1, byName.GetProperty("total_results").GetInt32());
        Assert.Equal(2, byOrg.GetProperty("total_results").GetInt32());
        await (await http.GetAsync("/v2/apps?q=diego:true")).V2ErrorAsync(HttpStatusCode.BadRequest, 10005, "CF-BadQueryParameter");
        await (await http.GetAsync($"/v2/spaces/{Guid.NewGuid()}/apps")).V2ErrorAsync(HttpStatusCode.NotFound, 40004, "CF-SpaceNotFound");
    }

    [Fact]
    public async Task SummaryInstancesAndStatsTellTheTruthAboutAStoppedApp()
    {
        using var http = await fixture.As("writer");
        var app = await NewAppAsync(http, await NewSpaceAsync(await fixture.Admin()), "quiet");

        var summary = await (await http.GetAsync($"/v2/apps/{app}/summary")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(app, summary.GetProperty("guid").GetString());
        Assert.Equal(0, summary.GetProperty("running_instances").GetInt32());
        Assert.Equal("STOPPED", summary.GetProperty("state").GetString());
        await (await http.GetAsync($"/v2/apps/{app}/instances")).V2ErrorAsync(HttpStatusCode.BadRequest, 220001, "CF-InstancesError");
        await (await http.GetAsync($"/v2/apps/{app}/stats")).V2ErrorAsync(HttpStatusCode.BadRequest, 200003, "CF-AppStoppedStatsError");
    }

    [Fact]
    public async Task ASpaceWithAppsIsDeletedOnlyRecursively()
    {
        using var http = await fixture.As("writer");
        using var admin = await fixture.Admin();
        var space = await NewSpaceAsync(admin);
        var app = await NewAppAsync(http, space);

        await (await admin.DeleteAsync($"/v2/spaces/{space}")).V2ErrorAsync(HttpStatusCode.BadRequest, 10006, "CF-AssociationNotEmpty");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/v2/spaces/{space}?recursive=true")).StatusCode);

        await (await http.GetAsync($"/v2/apps/{app}")).V2ErrorAsync(HttpStatusCode.NotFound, 100004, "CF-AppNotFound");
    }

    [Fact]
    public async Task ReadersCannotCreateApps()
    {
        using var reader = await fixture.As("reader");
        var space = await NewSpaceAsync(await fixture.Admin());

        await (await reader.PostJsonAsync("/v2/apps", new { name = "x", space_guid = space })).V2ErrorAsync(HttpStatusCode.Forbidden, 10007, "CF-InsufficientScope");
    }

    [Fact]
    public async Task AnAppsEnvironmentHoldsItsVariablesAndVcapApplication()
    {
        using var http = await fixture.As("writer");
        using var admin = await fixture.Admin();
        var org = await AuthTests.CreateOrgAsync(admin);
        var space = await OrganizationsAndSpacesTests.CreateSpaceAsync(admin, org, "env-space");
        var app = await NewAppAsync(http, space, "env-app");
        await (await http.PutJsonAsync($"/v2/apps/{app}", new { environment_json = new { GREETING = "hello" }, memory = 128 })).JsonAsync(HttpStatusCode.Created);

        var env = await (await http.GetAsync($"/v2/apps/{app}/env")).JsonAsync(HttpStatusCode.OK);
        var vcap = env.GetProperty("application_env_json").GetProperty("VCAP_APPLICATION");
        var orgName = (await (await admin.GetAsync($"/v2/organizations/{org}")).JsonAsync(HttpStatusCode.OK)).GetProperty("entity").GetProperty("name").GetString();

        Assert.Equal("hello", env.GetProperty("environment_json").GetProperty("GREETING").GetString());
        Assert.Equal(JsonValueKind.Object, env.GetProperty("system_env_json").GetProperty("VCAP_SERVICES").ValueKind);
        Assert.Empty(env.GetProperty("running_env_json").EnumerateObject());
        Assert.Empty(env.GetProperty("staging_env_json").EnumerateObject());
        Assert.Equal("env-app", vcap.GetProperty("application_name").GetString());
        Assert.Equal("env-space", vcap.GetProperty("space_name").GetString());
        Assert.Equal(space, vcap.GetProperty("space_id").GetString());
        Assert.Equal(org, vcap.GetProperty("organization_id").GetString());
        Assert.Equal(orgName, vcap.GetProperty("organization_name").GetString());
        Assert.Equal(128, vcap.GetProperty("limits").GetProperty("mem").GetInt32());
        Assert.Equal(0, vcap.GetProperty("application_uris").GetArrayLength());
        await (await http.GetAsync($"/v2/apps/{Guid.NewGuid()}/env")).V2ErrorAsync(HttpStatusCode.NotFound, 100004, "CF-AppNotFound");
    }

    internal static async Task<string> NewSpaceAsync(HttpClient admin) =>
        await OrganizationsAndSpacesTests.CreateSpaceAsync(admin, await AuthTests.CreateOrgAsync(admin), "space");

    internal static async Task<string> NewAppAsync(HttpClient http, string space, string? name = null)
    {
        var json = await (await http.PostJsonAsync("/v2/apps", new { name = name ?? $"app-{Guid.NewGuid():N}", space_guid = space })).JsonAsync(HttpStatusCode.Created);
        return json.GetProperty("metadata").GetProperty("guid").GetString()!;
    }
}
