using System.Net;
using System.Text.Json;
using CloudController.Tests.Infrastructure;

namespace CloudController.Tests.Api;

/// <summary>Domains, routes and their mappings, org quotas and the audit trail, through the real HTTP pipeline.</summary>
[Collection(ApiTier2.Name)]
public sealed class RoutingTests(CloudControllerFixture fixture)
{
    [Fact]
    public async Task TheConfiguredSharedDomainExistsAndDomainNamesAreUniqueAcrossBothKinds()
    {
        using var admin = await fixture.Admin();
        using var writer = await fixture.As("writer");
        var org = await AuthTests.CreateOrgAsync(admin);
        var name = $"d{Guid.NewGuid():N}.example.com";

        var shared = await (await writer.GetAsync("/v2/shared_domains?q=name:apps.localhost")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, shared.GetProperty("total_results").GetInt32());
        var entity = shared.GetProperty("resources")[0].GetProperty("entity");
        Assert.False(entity.GetProperty("internal").GetBoolean());
        Assert.Equal(JsonValueKind.Null, entity.GetProperty("router_group_type").ValueKind);

        await (await writer.PostJsonAsync("/v2/shared_domains", new { name })).V2ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");
        var created = await (await admin.PostJsonAsync("/v2/shared_domains", new { name, @internal = false })).JsonAsync(HttpStatusCode.Created);
        await (await admin.PostJsonAsync("/v2/shared_domains", new { name = name.ToUpperInvariant() })).V2ErrorAsync(HttpStatusCode.BadRequest, 130003, "CF-DomainNameTaken");
        await (await admin.PostJsonAsync("/v2/private_domains", new { name, owning_organization_guid = org })).V2ErrorAsync(HttpStatusCode.BadRequest, 130003, "CF-DomainNameTaken");
        await (await admin.PostJsonAsync("/v2/shared_domains", new { name = "no_dots" })).V2ErrorAsync(HttpStatusCode.BadRequest, 130001, "CF-DomainInvalid");
        await (await admin.PostJsonAsync("/v2/shared_domains", new { name = 7 })).V2ErrorAsync(HttpStatusCode.BadRequest, 1001, "CF-MessageParseError");
        await (await admin.PostJsonAsync("/v2/private_domains", new { name = "x.example.com" })).V2ErrorAsync(HttpStatusCode.BadRequest, 1001, "CF-MessageParseError");

        var guid = created.GetProperty("metadata").GetProperty("guid").GetString();
        await (await admin.DeleteAsync($"/v2/shared_domains/{guid}")).JsonAsync(HttpStatusCode.NoContent);
        var after = await (await admin.GetAsync($"/v2/shared_domains?q=name:{name}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(0, after.GetProperty("total_results").GetInt32());
        await (await admin.PostJsonAsync("/v2/private_domains", new { name, owning_organization_guid = org })).JsonAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task PrivateDomainsBelongToTheirOrganization()
    {
        using var admin = await fixture.Admin();
        using var writer = await fixture.As("writer");
        var (org, space) = await NewOrgAndSpaceAsync(admin);
        var (_, foreignSpace) = await NewOrgAndSpaceAsync(admin);
        var domain = await NewPrivateDomainAsync(admin, org);

        var owned = await (await writer.GetAsync($"/v2/organizations/{org}/private_domains")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(domain, owned.GetProperty("resources")[0].GetProperty("metadata").GetProperty("guid").GetString());
        var all = await (await writer.GetAsync($"/v2/organizations/{org}/domains")).JsonAsync(HttpStatusCode.OK);
        var names = all.GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("entity").GetProperty("name").GetString()).ToList();
        Assert.Contains("apps.localhost", names);

        // A route in another organization's private domain is refused, and nothing is stored.
        await (await admin.PostJsonAsync("/v2/routes", new { host = "h", domain_guid = domain, space_guid = foreignSpace }))
            .V2ErrorAsync(HttpStatusCode.BadRequest, 1002, "CF-InvalidRelation");
        await (await admin.PostJsonAsync("/v2/routes", new { host = "h", domain_guid = Guid.NewGuid(), space_guid = space }))
            .V2ErrorAsync(HttpStatusCode.BadRequest, 1002, "CF-InvalidRelation");
        var reserved = await admin.GetAsync($"/v2/routes/reserved/domain/{domain}/host/h");
        Assert.Equal(HttpStatusCode.NotFound, reserved.StatusCode);

        // A domain with routes is deleted only recursively.
        await NewRouteAsync(writer, "h", domain, space);
        await (await admin.DeleteAsync($"/v2/private_domains/{domain}")).V2ErrorAsync(HttpStatusCode.BadRequest, 10006, "CF-AssociationNotEmpty");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.GetAsync($"/v2/routes/reserved/domain/{domain}/host/h")).StatusCode);
        await (await admin.DeleteAsync($"/v2/private_domains/{domain}?recursive=true")).JsonAsync(HttpStatusCode.NoContent);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/v2/routes/reserved/domain/{domain}/host/h")).StatusCode);
        var routes = await (await admin.GetAsync($"/v2/spaces/{space}/routes")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(0, routes.GetProperty("total_results").GetInt32());
    }

    [Fact]
    public async Task HostDomainAndPathAreUniqueAcrossThePlatform()
    {
        using var admin = await fixture.Admin();
        using var writer = await fixture.As("writer");
        var (_, space) = await NewOrgAndSpaceAsync(admin);
        var other = await OrganizationsAndSpacesTests.CreateBareSpaceAsync(admin, await AuthTests.CreateOrgAsync(admin), "other");
        var domain = await SharedDomainAsync(writer);
        var host = $"h{Guid.NewGuid():N}"[..20];

        var plain = await NewRouteAsync(writer, host, domain, space);
        var withPath = await NewRouteAsync(writer, host, domain, space, "/api");
        await (await admin.PostJsonAsync("/v2/routes", new { host = host.ToUpperInvariant(), domain_guid = domain, space_guid = other }))
            .V2ErrorAsync(HttpStatusCode.BadRequest, 210003, "CF-RouteHostTaken");
        await (await admin.PostJsonAsync("/v2/routes", new { host, domain_guid = domain, space_guid = other, path = "/api" }))
            .V2ErrorAsync(HttpStatusCode.BadRequest, 210004, "CF-RoutePathTaken");
        await (await writer.PostJsonAsync("/v2/routes", new { host = "bad host", domain_guid = domain, space_guid = space }))
            .V2ErrorAsync(HttpStatusCode.BadRequest, 210001, "CF-RouteInvalid");
        await (await writer.PostJsonAsync("/v2/routes", new { host = "", domain_guid = domain, space_guid = space }))
            .V2ErrorAsync(HttpStatusCode.BadRequest, 210001, "CF-RouteInvalid");
        await (await writer.PostJsonAsync("/v2/routes", new { host = "p", domain_guid = domain, space_guid = space, path = "no-slash" }))
            .V2ErrorAsync(HttpStatusCode.BadRequest, 210001, "CF-RouteInvalid");

        // What cf push asks: the route with this host and no path, then whether the address is reserved.
        var found = await (await writer.GetAsync($"/v2/routes?q=domain_guid:{domain}&q=host:{host}&q=path:")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(plain, Assert.Single(found.GetProperty("resources").EnumerateArray()).GetProperty("metadata").GetProperty("guid").GetString());
        var byPath = await (await writer.GetAsync($"/v2/routes?q=domain_guid:{domain}&q=host:{host}&q=path:/api")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(withPath, Assert.Single(byPath.GetProperty("resources").EnumerateArray()).GetProperty("metadata").GetProperty("guid").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await writer.GetAsync($"/v2/routes/reserved/domain/{domain}?host={host}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await writer.GetAsync($"/v2/routes/reserved/domain/{domain}?host={host}&path=/api")).StatusCode);
        var free = await writer.GetAsync($"/v2/routes/reserved/domain/{domain}?host={host}&path=/other");
        await free.V2ErrorAsync(HttpStatusCode.NotFound, 10000, "CF-NotFound");

        // A route elsewhere is not listed to a caller without a role there, but the reservation still says it is taken.
        var foreign = await NewRouteAsync(admin, $"{host}x", domain, other);
        var hidden = await (await writer.GetAsync($"/v2/routes?q=host:{host}x")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(0, hidden.GetProperty("total_results").GetInt32());
        await (await writer.GetAsync($"/v2/routes/{foreign}")).V2ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");
        await (await writer.DeleteAsync($"/v2/routes/{foreign}")).V2ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");
        Assert.Equal(HttpStatusCode.NoContent, (await writer.GetAsync($"/v2/routes/reserved/domain/{domain}/host/{host}x")).StatusCode);
    }

    [Fact]
    public async Task RoutesMapToAppsOfTheirSpaceAndDeletingTheAppUnmapsIt()
    {
        using var admin = await fixture.Admin();
        using var writer = await fixture.As("writer");
        var (_, space) = await NewOrgAndSpaceAsync(admin);
        var (_, other) = await NewOrgAndSpaceAsync(admin);
        var domain = await SharedDomainAsync(writer);
        var route = await NewRouteAsync(writer, $"m{Guid.NewGuid():N}"[..20], domain, space);
        var app = await AppsTests.NewAppAsync(writer, space, "mapped");
        var stranger = await AppsTests.NewAppAsync(writer, other, "elsewhere");

        await (await writer.PutAsync($"/v2/routes/{route}/apps/{app}", null)).JsonAsync(HttpStatusCode.Created);
        await (await writer.PutAsync($"/v2/apps/{stranger}/routes/{route}", null)).V2ErrorAsync(HttpStatusCode.BadRequest, 1002, "CF-InvalidRelation");
        await (await writer.PutAsync($"/v2/routes/{route}/apps/{Guid.NewGuid()}", null)).V2ErrorAsync(HttpStatusCode.NotFound, 100004, "CF-AppNotFound");

        var appRoutes = await (await writer.GetAsync($"/v2/apps/{app}/routes")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(route, Assert.Single(appRoutes.GetProperty("resources").EnumerateArray()).GetProperty("metadata").GetProperty("guid").GetString());
        var routeApps = await (await writer.GetAsync($"/v2/routes/{route}/apps")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(app, Assert.Single(routeApps.GetProperty("resources").EnumerateArray()).GetProperty("metadata").GetProperty("guid").GetString());

        // What legacy commands read: the route's domain, space and apps inlined.
        var inlined = await (await writer.GetAsync($"/v2/spaces/{space}/routes?inline-relations-depth=1")).JsonAsync(HttpStatusCode.OK);
        var entity = Assert.Single(inlined.GetProperty("resources").EnumerateArray()).GetProperty("entity");
        Assert.Equal("apps.localhost", entity.GetProperty("domain").GetProperty("entity").GetProperty("name").GetString());
        Assert.Equal("space", entity.GetProperty("space").GetProperty("entity").GetProperty("name").GetString());
        Assert.Equal("mapped", Assert.Single(entity.GetProperty("apps").EnumerateArray()).GetProperty("entity").GetProperty("name").GetString());

        // The space summary shows the route under the app.
        var summary = await (await writer.GetAsync($"/v2/spaces/{space}/summary")).JsonAsync(HttpStatusCode.OK);
        var summarized = Assert.Single(summary.GetProperty("apps").EnumerateArray());
        Assert.Equal("apps.localhost", Assert.Single(summarized.GetProperty("routes").EnumerateArray()).GetProperty("domain").GetProperty("name").GetString());

        await (await writer.DeleteAsync($"/v2/apps/{app}?recursive=true")).JsonAsync(HttpStatusCode.NoContent);
        var left = await (await writer.GetAsync($"/v2/routes/{route}/apps")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(0, left.GetProperty("total_results").GetInt32());
        await (await writer.DeleteAsync($"/v2/routes/{route}")).JsonAsync(HttpStatusCode.NoContent);
        await (await writer.GetAsync($"/v2/routes/{route}")).V2ErrorAsync(HttpStatusCode.NotFound, 210002, "CF-RouteNotFound");
    }

    [Fact]
    public async Task AnOrganizationsQuotaLimitsItsStartedAppsTasksAndRoutes()
    {
        using var admin = await fixture.Admin();
        using var writer = await fixture.As("writer");
        var quota = await (await admin.PostJsonAsync("/v2/quota_definitions", new
        {
            name = $"small-{Guid.NewGuid():N}",
            non_basic_services_allowed = false,
            total_services = 0,
            total_routes = 1,
            memory_limit = 1024,
            instance_memory_limit = 512,
            app_instance_limit = 2,
        })).JsonAsync(HttpStatusCode.Created);
        var quotaGuid = quota.GetProperty("metadata").GetProperty("guid").GetString();
        await (await writer.PostJsonAsync("/v2/quota_definitions", new { name = "mine" })).V2ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");
        await (await admin.PostJsonAsync("/v2/quota_definitions", new { name = "x" })).V2ErrorAsync(HttpStatusCode.BadRequest, 1001, "CF-MessageParseError");
        var orgJson = await (await admin.PostJsonAsync("/v2/organizations", new { name = $"q-{Guid.NewGuid():N}", quota_definition_guid = quotaGuid })).JsonAsync(HttpStatusCode.Created);
        var org = orgJson.GetProperty("metadata").GetProperty("guid").GetString()!;
        var space = await OrganizationsAndSpacesTests.CreateSpaceAsync(admin, org, "space");

        var first = await AppWithBitsAsync(writer, space, "first", memory: 256);
        await (await writer.PutJsonAsync($"/v2/apps/{first}", new { state = "STARTED" })).JsonAsync(HttpStatusCode.Created);
        var second = await AppWithBitsAsync(writer, space, "second", memory: 128);

        await (await writer.PutJsonAsync($"/v2/apps/{second}", new { state = "STARTED", memory = 1024 }))
            .V2ErrorAsync(HttpStatusCode.BadRequest, 100007, "CF-QuotaInstanceMemoryLimitExceeded");
        await (await writer.PutJsonAsync($"/v2/apps/{second}", new { state = "STARTED", memory = 512, instances = 2 }))
            .V2ErrorAsync(HttpStatusCode.BadRequest, 100005, "CF-AppMemoryQuotaExceeded");
        await (await writer.PutJsonAsync($"/v2/apps/{second}", new { state = "STARTED", instances = 2 }))
            .V2ErrorAsync(HttpStatusCode.BadRequest, 100008, "CF-QuotaInstanceLimitExceeded");
        var unchanged = await BitsTests.EntityAsync(writer, second);
        Assert.Equal("STOPPED", unchanged.GetProperty("state").GetString());
        Assert.Equal(128, unchanged.GetProperty("memory").GetInt32());
        Assert.Equal(1, unchanged.GetProperty("instances").GetInt32());

        await (await writer.PutJsonAsync($"/v2/apps/{second}", new { state = "STARTED" })).JsonAsync(HttpStatusCode.Created);
        // Stopping frees what an app used.
        await (await writer.PutJsonAsync($"/v2/apps/{first}", new { state = "STOPPED" })).JsonAsync(HttpStatusCode.Created);
        await (await writer.PutJsonAsync($"/v2/apps/{second}", new { instances = 2 })).JsonAsync(HttpStatusCode.Created);

        // A running task's memory counts too (256 MB of instances + 512 MB of task leaves 256 MB), until it ends.
        await StagingTests.WaitForStagingAsync(writer, second);
        // v3 words quota refusals as CC does: a 422 naming the limit.
        var tooLarge = await (await writer.PostJsonAsync($"/v3/apps/{second}/tasks", new { command = "big", memory_in_mb = 600 }))
            .V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        Assert.Contains("instance_limit_exceeded", tooLarge.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var task = (await (await writer.PostJsonAsync($"/v3/apps/{second}/tasks", new { command = "migrate", memory_in_mb = 512 })).JsonAsync(HttpStatusCode.Accepted))
            .GetProperty("guid").GetString();
        var overTotal = await (await writer.PostJsonAsync($"/v3/apps/{second}/tasks", new { command = "migrate", memory_in_mb = 512 }))
            .V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        Assert.Contains("quota_exceeded", overTotal.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await Eventually.ValueAsync("the task ends", async () => await (await writer.GetAsync($"/v3/tasks/{task}")).JsonAsync(HttpStatusCode.OK),
            t => t.GetProperty("state").GetString() == "SUCCEEDED");
        await (await writer.PostJsonAsync($"/v3/apps/{second}/tasks", new { command = "migrate", memory_in_mb = 512 })).JsonAsync(HttpStatusCode.Accepted);

        var domain = await SharedDomainAsync(writer);
        await NewRouteAsync(writer, $"q{Guid.NewGuid():N}"[..20], domain, space);
        await (await writer.PostJsonAsync("/v2/routes", new { host = $"q{Guid.NewGuid():N}"[..20], domain_guid = domain, space_guid = space }))
            .V2ErrorAsync(HttpStatusCode.BadRequest, 310006, "CF-OrgQuotaTotalRoutesExceeded");

        // Raising the quota lets the same request through.
        await (await admin.PutJsonAsync($"/v2/quota_definitions/{quotaGuid}", new { total_routes = 2 })).JsonAsync(HttpStatusCode.Created);
        await NewRouteAsync(writer, $"q{Guid.NewGuid():N}"[..20], domain, space);

        // Space quotas are not backed: empty lists and a CF not-found; the default quota cannot go.
        var spaceQuotas = await (await writer.GetAsync($"/v2/organizations/{org}/space_quota_definitions")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(0, spaceQuotas.GetProperty("total_results").GetInt32());
        Assert.Equal(0, (await (await writer.GetAsync("/v2/space_quota_definitions")).JsonAsync(HttpStatusCode.OK)).GetProperty("total_results").GetInt32());
        await (await writer.GetAsync($"/v2/space_quota_definitions/{Guid.NewGuid()}")).V2ErrorAsync(HttpStatusCode.NotFound, 240001, "CF-QuotaDefinitionNotFound");
        await (await writer.GetAsync($"/v2/quota_definitions/{Guid.NewGuid()}")).V2ErrorAsync(HttpStatusCode.NotFound, 240001, "CF-QuotaDefinitionNotFound");
        await (await admin.PostJsonAsync("/v2/quota_definitions", new { name = quota.GetProperty("entity").GetProperty("name").GetString(), non_basic_services_allowed = true, total_services = 1, total_routes = 1, memory_limit = 1 }))
            .V2ErrorAsync(HttpStatusCode.BadRequest, 240002, "CF-QuotaDefinitionNameTaken");

        var newOrg = await (await admin.GetAsync($"/v2/organizations/{await AuthTests.CreateOrgAsync(admin)}")).JsonAsync(HttpStatusCode.OK);
        var defaultQuota = newOrg.GetProperty("entity").GetProperty("quota_definition_guid").GetString();
        var named = await (await writer.GetAsync($"/v2/quota_definitions/{defaultQuota}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("default", named.GetProperty("entity").GetProperty("name").GetString());
        Assert.Equal(10240, named.GetProperty("entity").GetProperty("memory_limit").GetInt32());
        await (await admin.DeleteAsync($"/v2/quota_definitions/{defaultQuota}")).V2ErrorAsync(HttpStatusCode.BadRequest, 240003, "CF-QuotaDefinitionInvalid");
    }

    [Fact]
    public async Task EventsRecordWhoChangedWhatWithSecretsHidden()
    {
        using var admin = await fixture.Admin();
        using var writer = await fixture.As("writer");
        using var stranger = await fixture.As("reader");
        var org = await AuthTests.CreateOrgAsync(admin);
        var space = await OrganizationsAndSpacesTests.CreateBareSpaceAsync(admin, org, "space");
        await OrganizationsAndSpacesTests.GrantAsync(admin, org, space, "writer", "developers");
        var started = DateTimeOffset.UtcNow.AddSeconds(-1);
        var app = await AppsTests.NewAppAsync(writer, space, "audited");
        await (await writer.PutJsonAsync($"/v2/apps/{app}", new { environment_json = new { SECRET = "hunter2" }, instances = 2 })).JsonAsync(HttpStatusCode.Created);

        var page = await (await writer.GetAsync($"/v2/events?q=actee:{app}&order-direction=desc&results-per-page=50")).JsonAsync(HttpStatusCode.OK);
        var events = page.GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("entity")).ToList();
        Assert.Equal(["audit.app.update", "audit.app.create"], events.Select(e => e.GetProperty("type").GetString()));
        var update = events[0];
        Assert.Equal("writer", update.GetProperty("actor_name").GetString());
        Assert.Equal("user", update.GetProperty("actor_type").GetString());
        Assert.Equal("audited", update.GetProperty("actee_name").GetString());
        Assert.Equal(space, update.GetProperty("space_guid").GetString());
        Assert.Equal("[PRIVATE DATA HIDDEN]", update.GetProperty("metadata").GetProperty("request").GetProperty("environment_json").GetString());
        Assert.Equal(2, update.GetProperty("metadata").GetProperty("request").GetProperty("instances").GetInt32());
        Assert.DoesNotContain("hunter2", page.GetRawText(), StringComparison.Ordinal);

        var types = await (await writer.GetAsync($"/v2/events?q=actee:{app}&q=type:audit.app.create")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, types.GetProperty("total_results").GetInt32());
        var since = Uri.EscapeDataString(started.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
        var later = await (await writer.GetAsync($"/v2/events?q=actee:{app}&q=timestamp>{since}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(2, later.GetProperty("total_results").GetInt32());
        var future = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
        var none = await (await writer.GetAsync($"/v2/events?q=actee:{app}&q=timestamp>{future}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(0, none.GetProperty("total_results").GetInt32());

        var hidden = await (await stranger.GetAsync($"/v2/events?q=actee:{app}")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(0, hidden.GetProperty("total_results").GetInt32());
        await (await writer.GetAsync("/v2/events?q=timestamp~x")).V2ErrorAsync(HttpStatusCode.BadRequest, 10005, "CF-BadQueryParameter");
        await (await writer.GetAsync("/v2/events?q=timestamp>yesterday")).V2ErrorAsync(HttpStatusCode.BadRequest, 10005, "CF-BadQueryParameter");
    }

    [Fact]
    public async Task DeletingAnOrganizationTakesItsSpacesRoutesAndPrivateDomainsOnlyWhenRecursive()
    {
        using var admin = await fixture.Admin();
        var (org, space) = await NewOrgAndSpaceAsync(admin);
        var domain = await NewPrivateDomainAsync(admin, org);
        var route = await NewRouteAsync(admin, "www", domain, space);
        var app = await AppsTests.NewAppAsync(admin, space);
        await (await admin.PutAsync($"/v2/apps/{app}/routes/{route}", null)).JsonAsync(HttpStatusCode.Created);

        await (await admin.DeleteAsync($"/v2/organizations/{org}")).V2ErrorAsync(HttpStatusCode.BadRequest, 10006, "CF-AssociationNotEmpty");
        await (await admin.DeleteAsync($"/v2/spaces/{space}")).V2ErrorAsync(HttpStatusCode.BadRequest, 10006, "CF-AssociationNotEmpty");
        await (await admin.GetAsync($"/v2/routes/{route}")).JsonAsync(HttpStatusCode.OK);
        await (await admin.GetAsync($"/v2/apps/{app}")).JsonAsync(HttpStatusCode.OK);

        // A durable job deletes the organization with everything in it; it ends finished.
        var job = await (await admin.DeleteAsync($"/v2/organizations/{org}?recursive=true&async=true")).JsonAsync(HttpStatusCode.Accepted);
        await BitsTests.PollAsync(admin, job.GetProperty("metadata").GetProperty("url").GetString()!, "finished");
        await (await admin.GetAsync($"/v2/routes/{route}")).V2ErrorAsync(HttpStatusCode.NotFound, 210002, "CF-RouteNotFound");
        await (await admin.GetAsync($"/v2/private_domains/{domain}")).V2ErrorAsync(HttpStatusCode.NotFound, 130002, "CF-DomainNotFound");
        await (await admin.GetAsync($"/v2/apps/{app}")).V2ErrorAsync(HttpStatusCode.NotFound, 100004, "CF-AppNotFound");
        // The address is free again.
        await (await admin.GetAsync($"/v2/routes/reserved/domain/{domain}/host/www")).V2ErrorAsync(HttpStatusCode.NotFound, 10000, "CF-NotFound");
    }

    [Fact]
    public async Task DiscoveryAdvertisesAnApiVersionTheCliAcceptsAndTheV3Links()
    {
        using var anonymous = fixture.Api.CreateClient();
        var info = await (await anonymous.GetAsync("/v2/info")).JsonAsync(HttpStatusCode.OK);
        Assert.True(Version.Parse(info.GetProperty("api_version").GetString()!) >= new Version(2, 128, 0));
        var v3 = await (await anonymous.GetAsync("/v3")).JsonAsync(HttpStatusCode.OK);
        foreach (var link in new[] { "apps", "processes", "organizations", "spaces", "isolation_segments", "packages", "droplets", "builds" })
        {
            Assert.EndsWith($"/v3/{link}", v3.GetProperty("links").GetProperty(link).GetProperty("href").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task EnvironmentVariableGroupsAndRoutesReachAnAppsEnvironment()
    {
        using var admin = await fixture.Admin();
        using var writer = await fixture.As("writer");
        var (_, space) = await NewOrgAndSpaceAsync(admin);
        var app = await AppsTests.NewAppAsync(writer, space, "envy");
        var host = $"e{Guid.NewGuid():N}"[..20];
        var route = await NewRouteAsync(writer, host, await SharedDomainAsync(writer), space);
        await (await writer.PutAsync($"/v2/apps/{app}/routes/{route}", null)).JsonAsync(HttpStatusCode.Created);

        await (await writer.PutJsonAsync("/v2/config/environment_variable_groups/running", new { X = "1" })).V2ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");
        await (await admin.PutJsonAsync("/v2/config/environment_variable_groups/running", new { VCAP_X = "1" })).V2ErrorAsync(HttpStatusCode.BadRequest, 10004, "CF-InvalidRequest");
        await (await admin.PutAsync("/v2/config/environment_variable_groups/running", HttpAssertions.Raw("[]"))).V2ErrorAsync(HttpStatusCode.BadRequest, 1001, "CF-MessageParseError");
        await (await admin.GetAsync("/v2/config/environment_variable_groups/other")).V2ErrorAsync(HttpStatusCode.NotFound, 10000, "CF-NotFound");
        var set = await (await admin.PutJsonAsync("/v2/config/environment_variable_groups/running", new { REGION = "eu", DEBUG = "1" })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("eu", set.GetProperty("REGION").GetString());
        await (await admin.PutJsonAsync("/v2/config/environment_variable_groups/staging", new { BUILD = "fast" })).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("eu", (await (await writer.GetAsync("/v2/config/environment_variable_groups/running")).JsonAsync(HttpStatusCode.OK)).GetProperty("REGION").GetString());

        var env = await (await writer.GetAsync($"/v2/apps/{app}/env")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal("eu", env.GetProperty("running_env_json").GetProperty("REGION").GetString());
        Assert.Equal("fast", env.GetProperty("staging_env_json").GetProperty("BUILD").GetString());
        var uris = env.GetProperty("application_env_json").GetProperty("VCAP_APPLICATION").GetProperty("application_uris");
        Assert.Equal($"{host}.apps.localhost", Assert.Single(uris.EnumerateArray()).GetString());

        await (await admin.PutJsonAsync("/v2/config/environment_variable_groups/running", new { })).JsonAsync(HttpStatusCode.OK);
        await (await admin.PutJsonAsync("/v2/config/environment_variable_groups/staging", new { })).JsonAsync(HttpStatusCode.OK);
    }

    internal static async Task<(string Org, string Space)> NewOrgAndSpaceAsync(HttpClient admin)
    {
        var org = await AuthTests.CreateOrgAsync(admin);
        return (org, await OrganizationsAndSpacesTests.CreateSpaceAsync(admin, org, "space"));
    }

    internal static async Task<string> SharedDomainAsync(HttpClient http)
    {
        var page = await (await http.GetAsync("/v2/shared_domains?q=name:apps.localhost")).JsonAsync(HttpStatusCode.OK);
        return page.GetProperty("resources")[0].GetProperty("metadata").GetProperty("guid").GetString()!;
    }

    internal static async Task<string> NewPrivateDomainAsync(HttpClient admin, string org)
    {
        var json = await (await admin.PostJsonAsync("/v2/private_domains", new { name = $"p{Guid.NewGuid():N}.example.com", owning_organization_guid = org }))
            .JsonAsync(HttpStatusCode.Created);
        return json.GetProperty("metadata").GetProperty("guid").GetString()!;
    }

    internal static async Task<string> NewRouteAsync(HttpClient http, string host, string domain, string space, string? path = null)
    {
        var json = await (await http.PostJsonAsync("/v2/routes", new { host, domain_guid = domain, space_guid = space, path, port = (int?)null }))
            .JsonAsync(HttpStatusCode.Created);
        return json.GetProperty("metadata").GetProperty("guid").GetString()!;
    }

    private static async Task<string> AppWithBitsAsync(HttpClient http, string space, string name, int memory)
    {
        var json = await (await http.PostJsonAsync("/v2/apps", new { name, space_guid = space, memory })).JsonAsync(HttpStatusCode.Created);
        var app = json.GetProperty("metadata").GetProperty("guid").GetString()!;
        await BitsTests.Upload201Async(http, app, [], Zips.Create(("index.html", Zips.Text("hello"), 420)));
        return app;
    }
}
