using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CloudController.Tests.Infrastructure;

namespace CloudController.Tests.Api;

/// <summary>
/// The v3 platform API as the cf CLI v7 uses it: root documents, organizations, spaces, jobs, users, roles, domains,
/// routes, destinations, organization quotas, audit events and feature flags; always the same grains v2 reads.
/// </summary>
[Collection(ApiTier3.Name)]
public sealed class V3PlatformTests(CloudControllerFixture fixture)
{
    [Fact]
    public async Task RootDocumentsAdvertiseAModernV3AndEveryCollectionTheCliNeeds()
    {
        using var anonymous = fixture.Anonymous();

        var root = await (await anonymous.GetAsync("/")).JsonAsync(HttpStatusCode.OK);
        var v3 = await (await anonymous.GetAsync("/v3")).JsonAsync(HttpStatusCode.OK);
        var info = await (await anonymous.GetAsync("/v3/info")).JsonAsync(HttpStatusCode.OK);

        var version = Version.Parse(root.GetProperty("links").GetProperty("cloud_controller_v3").GetProperty("meta").GetProperty("version").GetString()!);
        Assert.True(version >= new Version(3, 85, 0), $"v3 version {version} is below the cf CLI's minimum 3.85.0");
        Assert.StartsWith("http", root.GetProperty("links").GetProperty("login").GetProperty("href").GetString(), StringComparison.Ordinal);
        foreach (var name in new[]
        {
            "apps", "audit_events", "buildpacks", "builds", "deployments", "domains", "droplets", "environment_variable_groups", "feature_flags",
            "isolation_segments", "organizations", "organization_quotas", "packages", "processes", "resource_matches", "roles", "routes",
            "security_groups", "service_brokers", "service_instances", "service_offerings", "service_plans", "space_quotas", "spaces", "stacks",
            "tasks", "users",
        })
        {
            Assert.EndsWith($"/v3/{name}", v3.GetProperty("links").GetProperty(name).GetProperty("href").GetString(), StringComparison.Ordinal);
        }

        Assert.EndsWith("/v3/info", info.GetProperty("links").GetProperty("self").GetProperty("href").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOrganizationCreatedThroughV3IsV2sOrganizationAndItsDeleteIsAJobWithALocation()
    {
        using var admin = await fixture.Admin();
        var name = $"V3-Org-{Guid.NewGuid():N}"[..20];

        var created = await (await admin.PostJsonAsync("/v3/organizations", new { name, metadata = new { labels = new { env = "prod" } } })).JsonAsync(HttpStatusCode.Created);
        var guid = created.GetProperty("guid").GetString()!;
        var v2 = await (await admin.GetAsync($"/v2/organizations/{guid}")).JsonAsync(HttpStatusCode.OK);
        var byLowerName = await (await admin.GetAsync($"/v2/organizations?q=name:{name.ToLowerInvariant()}")).JsonAsync(HttpStatusCode.OK);
        var byV3Name = await (await admin.GetAsync($"/v3/organizations?names={name.ToUpperInvariant()}")).JsonAsync(HttpStatusCode.OK);
        await (await admin.PostJsonAsync("/v3/organizations", new { name = name.ToLowerInvariant() }))
            .V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        var renamed = await (await admin.PatchAsync($"/v3/organizations/{guid}/", HttpAssertions.Json(new { name = name + "-x", suspended = true })))
            .JsonAsync(HttpStatusCode.OK);

        Assert.Equal(name, v2.GetProperty("entity").GetProperty("name").GetString());
        Assert.Equal("prod", created.GetProperty("metadata").GetProperty("labels").GetProperty("env").GetString());
        Assert.Equal(guid, Assert.Single(byLowerName.GetProperty("resources").EnumerateArray()).GetProperty("metadata").GetProperty("guid").GetString());
        Assert.Equal(1, byV3Name.GetProperty("pagination").GetProperty("total_results").GetInt32());
        Assert.True(renamed.GetProperty("suspended").GetBoolean());
        Assert.Equal("prod", renamed.GetProperty("metadata").GetProperty("labels").GetProperty("env").GetString());
        Assert.NotEqual(JsonValueKind.Null, created.GetProperty("relationships").GetProperty("quota").GetProperty("data").ValueKind);

        var space = await OrganizationsAndSpacesTests.CreateBareSpaceAsync(admin, guid, "inside");
        await AppsTests.NewAppAsync(admin, space);
        using var delete = await admin.DeleteAsync($"/v3/organizations/{guid}/");
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        var job = await PollJobAsync(admin, delete.Headers.Location!);
        Assert.Equal("organization.delete", job.GetProperty("operation").GetString());
        await (await admin.GetAsync($"/v2/organizations/{guid}")).V2ErrorAsync(HttpStatusCode.NotFound, 30003, "CF-OrganizationNotFound");
        await (await admin.GetAsync($"/v3/spaces/{space}")).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ResourceNotFound");
    }

    [Fact]
    public async Task OnlyAdminsCreateOrganizationsUnlessTheFeatureFlagIsOnAndThenTheCreatorManagesIt()
    {
        using var admin = await fixture.Admin();
        using var writer = await fixture.As("writer");
        var name = $"flag-{Guid.NewGuid():N}"[..16];

        await (await writer.PostJsonAsync("/v3/organizations", new { name })).V3ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");
        await (await admin.PatchAsync("/v3/feature_flags/user_org_creation", HttpAssertions.Json(new { enabled = true }))).JsonAsync(HttpStatusCode.OK);
        try
        {
            var v2Flag = await (await writer.GetAsync("/v2/config/feature_flags/user_org_creation")).JsonAsync(HttpStatusCode.OK);
            var org = await (await writer.PostJsonAsync("/v3/organizations", new { name })).JsonAsync(HttpStatusCode.Created);
            var roles = await (await writer.GetAsync($"/v3/roles?organization_guids={org.GetProperty("guid").GetString()}")).JsonAsync(HttpStatusCode.OK);

            Assert.True(v2Flag.GetProperty("enabled").GetBoolean());
            Assert.Equal(["organization_manager", "organization_user"],
                roles.GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("type").GetString()).Order(StringComparer.Ordinal));
        }
        finally
        {
            await (await admin.PatchAsync("/v3/feature_flags/user_org_creation", HttpAssertions.Json(new { enabled = false }))).JsonAsync(HttpStatusCode.OK);
        }

        await (await writer.PatchAsync("/v3/feature_flags/user_org_creation", HttpAssertions.Json(new { enabled = true })))
            .V3ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");
        await (await admin.GetAsync("/v3/feature_flags/no_such_flag")).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ResourceNotFound");
    }

    [Fact]
    public async Task ADisabledRouteCreationFlagRefusesDevelopersButNotAdmins()
    {
        using var admin = await fixture.Admin();
        var (org, space, dev) = await SpaceWithDeveloperAsync(admin);
        var domain = await SharedDomainAsync(admin);

        await (await admin.PatchAsync("/v3/feature_flags/route_creation", HttpAssertions.Json(new { enabled = false, custom_error_message = "ask the platform team" })))
            .JsonAsync(HttpStatusCode.OK);
        try
        {
            var refused = await (await dev.PostJsonAsync("/v3/routes", RouteBody(space, domain, "refused"))).V3ErrorAsync(HttpStatusCode.Forbidden, 330002, "CF-FeatureDisabled");
            Assert.Equal("ask the platform team", refused.GetProperty("detail").GetString());
            await (await dev.PostJsonAsync("/v2/routes", new { host = "refused2", domain_guid = domain, space_guid = space }))
                .V2ErrorAsync(HttpStatusCode.Forbidden, 330002, "CF-FeatureDisabled");
            await (await admin.PostJsonAsync("/v3/routes", RouteBody(space, domain, $"ok-{org[..8]}"))).JsonAsync(HttpStatusCode.Created);
        }
        finally
        {
            await (await admin.PatchAsync("/v3/feature_flags/route_creation", HttpAssertions.Json(new { enabled = true, custom_error_message = (string?)null })))
                .JsonAsync(HttpStatusCode.OK);
        }

        await (await dev.PostJsonAsync("/v3/routes", RouteBody(space, domain, $"after-{org[..8]}"))).JsonAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task SpacesAreCreatedByOrgManagersWithCcsErrorsAndDeletedByAJob()
    {
        using var admin = await fixture.Admin();
        var org = await AuthTests.CreateOrgAsync(admin);

        var space = await (await admin.PostJsonAsync("/v3/spaces", SpaceBody("Dev", org))).JsonAsync(HttpStatusCode.Created);
        var guid = space.GetProperty("guid").GetString()!;
        var duplicate = await (await admin.PostJsonAsync("/v3/spaces", SpaceBody("dev", org))).V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        var noOrg = await (await admin.PostJsonAsync("/v3/spaces", SpaceBody("x", Guid.NewGuid().ToString()))).V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        await (await admin.PostJsonAsync("/v3/spaces", new { name = "x", relationships = new { organization = new { data = new { guid = org } } }, bogus = 1 }))
            .V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        using var writer = await fixture.As("writer");
        await (await writer.PostJsonAsync("/v3/spaces", SpaceBody("y", org))).V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        var v2 = await (await admin.GetAsync($"/v2/organizations/{org}/spaces?q=name:DEV")).JsonAsync(HttpStatusCode.OK);
        var ssh = await (await admin.PatchAsync($"/v3/spaces/{guid}/features/ssh", HttpAssertions.Json(new { enabled = false }))).JsonAsync(HttpStatusCode.OK);
        var v2AfterSsh = await (await admin.GetAsync($"/v2/spaces/{guid}")).JsonAsync(HttpStatusCode.OK);
        var included = await (await admin.GetAsync($"/v3/spaces?guids={guid}&include=organization")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal("Name must be unique per organization", duplicate.GetProperty("detail").GetString());
        Assert.Equal("Invalid organization. Ensure the organization exists and you have access to it.", noOrg.GetProperty("detail").GetString());
        Assert.Equal(guid, Assert.Single(v2.GetProperty("resources").EnumerateArray()).GetProperty("metadata").GetProperty("guid").GetString());
        Assert.False(ssh.GetProperty("enabled").GetBoolean());
        Assert.False(v2AfterSsh.GetProperty("entity").GetProperty("allow_ssh").GetBoolean());
        Assert.Equal(org, Assert.Single(included.GetProperty("included").GetProperty("organizations").EnumerateArray()).GetProperty("guid").GetString());

        using var delete = await admin.DeleteAsync($"/v3/spaces/{guid}");
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        Assert.Equal("space.delete", (await PollJobAsync(admin, delete.Headers.Location!)).GetProperty("operation").GetString());
        await (await admin.GetAsync($"/v2/spaces/{guid}")).V2ErrorAsync(HttpStatusCode.NotFound, 40004, "CF-SpaceNotFound");
    }

    [Fact]
    public async Task RolesGivenByUsernameThroughV3AreV2sRolesAndListWithTheirUsers()
    {
        using var admin = await fixture.Admin();
        var org = await AuthTests.CreateOrgAsync(admin);
        var space = await OrganizationsAndSpacesTests.CreateBareSpaceAsync(admin, org, "s");
        var (userId, userName) = await NewUaaUserAsync(admin);

        var spaceFirst = await (await admin.PostJsonAsync("/v3/roles", SpaceRole("space_developer", space, userName)))
            .V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        var orgUser = await (await admin.PostJsonAsync("/v3/roles", OrgRole("organization_user", org, userName))).JsonAsync(HttpStatusCode.Created);
        var developer = await (await admin.PostJsonAsync("/v3/roles", SpaceRole("space_developer", space, userName))).JsonAsync(HttpStatusCode.Created);
        var again = await (await admin.PostJsonAsync("/v3/roles", SpaceRole("space_developer", space, userName)))
            .V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        var nobody = await (await admin.PostJsonAsync("/v3/roles", OrgRole("organization_auditor", org, "no-such-user")))
            .V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        await (await admin.PostJsonAsync("/v3/roles", OrgRole("organization_wizard", org, userName))).V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        var v2Developers = await (await admin.GetAsync($"/v2/spaces/{space}/developers")).JsonAsync(HttpStatusCode.OK);
        var listed = await (await admin.GetAsync($"/v3/roles?space_guids={space}&include=user")).JsonAsync(HttpStatusCode.OK);
        var byGuid = await (await admin.GetAsync($"/v3/roles/{developer.GetProperty("guid").GetString()}")).JsonAsync(HttpStatusCode.OK);
        var users = await (await admin.GetAsync($"/v3/users?usernames={userName.ToUpperInvariant()}&origins=uaa")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal("Users cannot be assigned roles in a space if they do not have a role in that space's organization.",
            spaceFirst.GetProperty("detail").GetString());
        Assert.Equal($"User '{userName}' already has 'space_developer' role in space 's'.", again.GetProperty("detail").GetString());
        Assert.Equal("No user exists with the username 'no-such-user'.", nobody.GetProperty("detail").GetString());
        Assert.Equal("organization_user", orgUser.GetProperty("type").GetString());
        Assert.Contains(userName, v2Developers.GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("entity").GetProperty("username").GetString()));
        var role = Assert.Single(listed.GetProperty("resources").EnumerateArray());
        Assert.Equal(userId, role.GetProperty("relationships").GetProperty("user").GetProperty("data").GetProperty("guid").GetString());
        Assert.Equal(userName, Assert.Single(listed.GetProperty("included").GetProperty("users").EnumerateArray()).GetProperty("username").GetString());
        Assert.Equal(space, byGuid.GetProperty("relationships").GetProperty("space").GetProperty("data").GetProperty("guid").GetString());
        Assert.Equal(userId, Assert.Single(users.GetProperty("resources").EnumerateArray()).GetProperty("guid").GetString());

        await (await admin.DeleteAsync($"/v3/roles/{orgUser.GetProperty("guid").GetString()}")).V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        using var delete = await admin.DeleteAsync($"/v3/roles/{developer.GetProperty("guid").GetString()}");
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        await PollJobAsync(admin, delete.Headers.Location!);
        var v2After = await (await admin.GetAsync($"/v2/spaces/{space}/developers")).JsonAsync(HttpStatusCode.OK);
        Assert.Empty(v2After.GetProperty("resources").EnumerateArray());
        await (await admin.GetAsync($"/v3/roles/{developer.GetProperty("guid").GetString()}")).V3ErrorAsync(HttpStatusCode.NotFound, 10010, "CF-ResourceNotFound");
    }

    [Fact]
    public async Task AnOrgManagerGrantsRolesInItsOrgButNotElsewhereAndOthersSeeNoForeignRoles()
    {
        using var admin = await fixture.Admin();
        var org = await AuthTests.CreateOrgAsync(admin);
        var other = await AuthTests.CreateOrgAsync(admin);
        var (_, managerName) = await NewUaaUserAsync(admin);
        var (_, userName) = await NewUaaUserAsync(admin);
        await (await admin.PostJsonAsync("/v3/roles", OrgRole("organization_manager", org, managerName))).JsonAsync(HttpStatusCode.Created);
        await (await admin.PostJsonAsync("/v3/roles", OrgRole("organization_auditor", other, userName))).JsonAsync(HttpStatusCode.Created);
        using var manager = await LoginAsync(managerName);

        await (await manager.PostJsonAsync("/v3/roles", OrgRole("organization_auditor", org, userName))).JsonAsync(HttpStatusCode.Created);
        var elsewhere = await (await manager.PostJsonAsync("/v3/roles", OrgRole("organization_auditor", other, managerName)))
            .V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        var seen = await (await manager.GetAsync("/v3/roles")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal("Invalid organization. Ensure that the organization exists and you have access to it.", elsewhere.GetProperty("detail").GetString());
        Assert.All(seen.GetProperty("resources").EnumerateArray(),
            r => Assert.Equal(org, r.GetProperty("relationships").GetProperty("organization").GetProperty("data").GetProperty("guid").GetString()));
    }

    [Fact]
    public async Task TheScimFilterGrammarAnswersTheCliAndRefusesWhatItCannotParse()
    {
        using var admin = await fixture.Admin();
        var (id, name) = await NewUaaUserAsync(admin);

        var cli = await (await admin.GetAsync($"/Users?filter={Uri.EscapeDataString($"userName eq \"{name.ToUpperInvariant()}\" and origin eq \"uaa\"")}")).JsonAsync(HttpStatusCode.OK);
        var either = await (await admin.GetAsync($"/Users?filter={Uri.EscapeDataString($"(id eq \"{id}\" or userName eq \"nobody\") and userName pr")}")).JsonAsync(HttpStatusCode.OK);
        var prefix = await (await admin.GetAsync($"/Users?filter={Uri.EscapeDataString($"userName sw \"{name[..6]}\" and userName co \"{name[6..12]}\"")}")).JsonAsync(HttpStatusCode.OK);
        var wrongOrigin = await (await admin.GetAsync($"/Users?filter={Uri.EscapeDataString($"userName eq \"{name}\" and origin eq \"ldap\"")}")).JsonAsync(HttpStatusCode.OK);
        using var bad = await admin.GetAsync($"/Users?filter={Uri.EscapeDataString("userName eq")}");
        using var unknown = await admin.GetAsync($"/Users?filter={Uri.EscapeDataString("password eq \"x\"")}");

        Assert.Equal(id, Assert.Single(cli.GetProperty("resources").EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal(id, Assert.Single(either.GetProperty("resources").EnumerateArray()).GetProperty("id").GetString());
        Assert.Contains(id, prefix.GetProperty("resources").EnumerateArray().Select(u => u.GetProperty("id").GetString()));
        Assert.Empty(wrongOrigin.GetProperty("resources").EnumerateArray());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("invalid_filter", (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
    }

    [Fact]
    public async Task DomainsAndRoutesThroughV3AreV2sAndDestinationsMapApps()
    {
        using var admin = await fixture.Admin();
        var (org, space, dev) = await SpaceWithDeveloperAsync(admin);
        var domainName = $"d{Guid.NewGuid():N}"[..12] + ".example.com";

        var domain = await (await admin.PostJsonAsync("/v3/domains", new { name = domainName, relationships = new { organization = new { data = new { guid = org } } } }))
            .JsonAsync(HttpStatusCode.Created);
        var domainGuid = domain.GetProperty("guid").GetString()!;
        var taken = await (await admin.PostJsonAsync("/v3/domains", new { name = domainName.ToUpperInvariant() })).V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        await (await dev.PostJsonAsync("/v3/domains", new { name = "dev-shared.example.com" })).V3ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");
        var v2Private = await (await admin.GetAsync($"/v2/private_domains/{domainGuid}")).JsonAsync(HttpStatusCode.OK);
        var orgDomains = await (await dev.GetAsync($"/v3/organizations/{org}/domains")).JsonAsync(HttpStatusCode.OK);

        var route = await (await dev.PostJsonAsync("/v3/routes", RouteBody(space, domainGuid, "web", "/api"))).JsonAsync(HttpStatusCode.Created);
        var routeGuid = route.GetProperty("guid").GetString()!;
        var again = await (await dev.PostJsonAsync("/v3/routes", RouteBody(space, domainGuid, "WEB", "/api"))).V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        var reservation = await (await dev.GetAsync($"/v3/domains/{domainGuid}/route_reservations?host=web&path=/api")).JsonAsync(HttpStatusCode.OK);
        var free = await (await dev.GetAsync($"/v3/domains/{domainGuid}/route_reservations?host=other")).JsonAsync(HttpStatusCode.OK);
        var emptyHost = await (await dev.GetAsync($"/v3/routes?domain_guids={domainGuid}&hosts=&paths=")).JsonAsync(HttpStatusCode.OK);
        var byHost = await (await dev.GetAsync($"/v3/routes?domain_guids={domainGuid}&hosts=web&paths=/api")).JsonAsync(HttpStatusCode.OK);

        var app = await AppsTests.NewAppAsync(admin, space);
        var mapped = await (await dev.PostJsonAsync($"/v3/routes/{routeGuid}/destinations", new { destinations = new[] { new { app = new { guid = app } } } }))
            .JsonAsync(HttpStatusCode.OK);
        var v2AppRoutes = await (await admin.GetAsync($"/v2/apps/{app}/routes")).JsonAsync(HttpStatusCode.OK);
        var appRoutes = await (await dev.GetAsync($"/v3/apps/{app}/routes")).JsonAsync(HttpStatusCode.OK);
        var destination = Assert.Single(mapped.GetProperty("destinations").EnumerateArray());
        using var unmap = await dev.DeleteAsync($"/v3/routes/{routeGuid}/destinations/{destination.GetProperty("guid").GetString()}");
        var afterUnmap = await (await dev.GetAsync($"/v3/routes/{routeGuid}/destinations")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal($"The domain name \"{domainName}\" is already in use", taken.GetProperty("detail").GetString());
        Assert.Equal(org, v2Private.GetProperty("entity").GetProperty("owning_organization_guid").GetString());
        Assert.Contains(domainGuid, orgDomains.GetProperty("resources").EnumerateArray().Select(d => d.GetProperty("guid").GetString()));
        Assert.Equal($"web.{domainName}/api", route.GetProperty("url").GetString());
        Assert.Contains("Route already exists", again.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(reservation.GetProperty("matching_route").GetBoolean());
        Assert.False(free.GetProperty("matching_route").GetBoolean());
        Assert.Equal(0, emptyHost.GetProperty("pagination").GetProperty("total_results").GetInt32());
        Assert.Equal(routeGuid, Assert.Single(byHost.GetProperty("resources").EnumerateArray()).GetProperty("guid").GetString());
        Assert.Equal(app, destination.GetProperty("app").GetProperty("guid").GetString());
        Assert.Equal("web", destination.GetProperty("app").GetProperty("process").GetProperty("type").GetString());
        Assert.Equal(routeGuid, Assert.Single(v2AppRoutes.GetProperty("resources").EnumerateArray()).GetProperty("metadata").GetProperty("guid").GetString());
        Assert.Equal(routeGuid, Assert.Single(appRoutes.GetProperty("resources").EnumerateArray()).GetProperty("guid").GetString());
        Assert.Equal(HttpStatusCode.NoContent, unmap.StatusCode);
        Assert.Empty(afterUnmap.GetProperty("destinations").EnumerateArray());

        using var deleteRoute = await dev.DeleteAsync($"/v3/routes/{routeGuid}");
        await PollJobAsync(dev, deleteRoute.Headers.Location!);
        await (await admin.GetAsync($"/v2/routes/{routeGuid}")).V2ErrorAsync(HttpStatusCode.NotFound, 210002, "CF-RouteNotFound");
        using var deleteDomain = await admin.DeleteAsync($"/v3/domains/{domainGuid}");
        Assert.Equal("domain.delete", (await PollJobAsync(admin, deleteDomain.Headers.Location!)).GetProperty("operation").GetString());
    }

    [Fact]
    public async Task OrganizationQuotasAreV2sQuotaDefinitionsAndListTheOrganizationsTheyApplyTo()
    {
        using var admin = await fixture.Admin();
        var org = await AuthTests.CreateOrgAsync(admin);
        var name = $"q-{Guid.NewGuid():N}"[..14];

        var quota = await (await admin.PostJsonAsync("/v3/organization_quotas", new
        {
            name,
            apps = new { total_memory_in_mb = 2048, per_process_memory_in_mb = (int?)null, total_instances = 10 },
            routes = new { total_routes = 5 },
        })).JsonAsync(HttpStatusCode.Created);
        var guid = quota.GetProperty("guid").GetString()!;
        await (await admin.PostJsonAsync("/v3/organization_quotas", new { name })).V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        await (await admin.PostJsonAsync("/v3/organization_quotas", new { name = "neg", apps = new { total_memory_in_mb = -5 } }))
            .V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        var applied = await (await admin.PostJsonAsync($"/v3/organization_quotas/{guid}/relationships/organizations", new { data = new[] { new { guid = org } } }))
            .JsonAsync(HttpStatusCode.OK);
        var v2Org = await (await admin.GetAsync($"/v2/organizations/{org}")).JsonAsync(HttpStatusCode.OK);
        var v2Quota = await (await admin.GetAsync($"/v2/quota_definitions/{guid}")).JsonAsync(HttpStatusCode.OK);
        var read = await (await admin.GetAsync($"/v3/organization_quotas?organization_guids={org}")).JsonAsync(HttpStatusCode.OK);
        await (await admin.DeleteAsync($"/v3/organization_quotas/{guid}")).V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");

        Assert.Equal(org, Assert.Single(applied.GetProperty("data").EnumerateArray()).GetProperty("guid").GetString());
        Assert.Equal(guid, v2Org.GetProperty("entity").GetProperty("quota_definition_guid").GetString());
        Assert.Equal(2048, v2Quota.GetProperty("entity").GetProperty("memory_limit").GetInt32());
        var listed = Assert.Single(read.GetProperty("resources").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, listed.GetProperty("apps").GetProperty("per_process_memory_in_mb").ValueKind);
        Assert.Equal(5, listed.GetProperty("routes").GetProperty("total_routes").GetInt32());
        Assert.Equal(org, Assert.Single(listed.GetProperty("relationships").GetProperty("organizations").GetProperty("data").EnumerateArray()).GetProperty("guid").GetString());
    }

    [Fact]
    public async Task AuditEventsThroughV3AreV2sEventsWithTheirFiltersAndVisibility()
    {
        using var admin = await fixture.Admin();
        var (org, space, dev) = await SpaceWithDeveloperAsync(admin);
        var app = await AppsTests.NewAppAsync(admin, space);
        var before = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

        var events = await Eventually.ValueAsync("the app's create event", () => ListAsync(dev, $"/v3/audit_events?target_guids={app}&types=audit.app.create&created_ats[gt]={before}"),
            page => page.GetProperty("pagination").GetProperty("total_results").GetInt32() > 0);
        var newestFirst = await ListAsync(admin, $"/v3/audit_events?space_guids={space}&order_by=-created_at");
        using var stranger = await fixture.As("writer");
        var hidden = await ListAsync(stranger, $"/v3/audit_events?target_guids={app}");
        await (await admin.GetAsync("/v3/audit_events?created_ats[gt]=yesterday")).V3ErrorAsync(HttpStatusCode.BadRequest, 10005, "CF-BadQueryParameter");

        var created = Assert.Single(events.GetProperty("resources").EnumerateArray());
        Assert.Equal(app, created.GetProperty("target").GetProperty("guid").GetString());
        Assert.Equal(space, created.GetProperty("space").GetProperty("guid").GetString());
        Assert.Equal(org, created.GetProperty("organization").GetProperty("guid").GetString());
        var times = newestFirst.GetProperty("resources").EnumerateArray().Select(e => e.GetProperty("created_at").GetString()!).ToList();
        Assert.Equal(times.OrderDescending(StringComparer.Ordinal), times);
        Assert.Equal(0, hidden.GetProperty("pagination").GetProperty("total_results").GetInt32());
    }

    [Fact]
    public async Task ListsTheCliReadsAndNothingBacksAreEmptyWithTheirShapes()
    {
        using var admin = await fixture.Admin();
        var org = await AuthTests.CreateOrgAsync(admin);
        var space = await OrganizationsAndSpacesTests.CreateBareSpaceAsync(admin, org, "s");

        var plans = await ListAsync(admin, $"/v3/service_plans?space_guids={space}&include=service_offering&fields[service_offering.service_broker]=name,guid");
        var instances = await ListAsync(admin, $"/v3/service_instances?space_guids={space}");
        var security = await ListAsync(admin, $"/v3/spaces/{space}/running_security_groups");
        var stacks = await ListAsync(admin, "/v3/stacks");
        var buildpacks = await ListAsync(admin, "/v3/buildpacks?order_by=position");
        var segment = await (await admin.GetAsync($"/v3/organizations/{org}/relationships/default_isolation_segment")).JsonAsync(HttpStatusCode.OK);
        var running = await (await admin.GetAsync("/v3/environment_variable_groups/running")).JsonAsync(HttpStatusCode.OK);
        await (await admin.GetAsync("/v3/service_instances?bogus=1")).V3ErrorAsync(HttpStatusCode.BadRequest, 10005, "CF-BadQueryParameter");

        Assert.Empty(plans.GetProperty("included").GetProperty("service_offerings").EnumerateArray());
        Assert.Equal(0, instances.GetProperty("pagination").GetProperty("total_results").GetInt32());
        Assert.Empty(security.GetProperty("resources").EnumerateArray());
        Assert.NotEmpty(stacks.GetProperty("resources").EnumerateArray());
        Assert.Equal(JsonValueKind.Array, buildpacks.GetProperty("resources").ValueKind);
        Assert.Equal(JsonValueKind.Null, segment.GetProperty("data").ValueKind);
        Assert.Equal(JsonValueKind.Object, running.GetProperty("var").ValueKind);
    }

    internal static async Task<JsonElement> PollJobAsync(HttpClient http, Uri location)
    {
        var job = await Eventually.ValueAsync($"job {location}", async () => await (await http.GetAsync(location)).JsonAsync(HttpStatusCode.OK),
            j => j.GetProperty("state").GetString() is "COMPLETE" or "FAILED");
        Assert.True(job.GetProperty("state").GetString() == "COMPLETE", $"the job failed: {job}");
        return job;
    }

    private async Task<(string Org, string Space, HttpClient Developer)> SpaceWithDeveloperAsync(HttpClient admin)
    {
        var org = await AuthTests.CreateOrgAsync(admin);
        var space = await OrganizationsAndSpacesTests.CreateBareSpaceAsync(admin, org, "s");
        var (_, name) = await NewUaaUserAsync(admin);
        await (await admin.PostJsonAsync("/v3/roles", OrgRole("organization_user", org, name))).JsonAsync(HttpStatusCode.Created);
        await (await admin.PostJsonAsync("/v3/roles", SpaceRole("space_developer", space, name))).JsonAsync(HttpStatusCode.Created);
        return (org, space, await LoginAsync(name));
    }

    private async Task<HttpClient> LoginAsync(string name)
    {
        var http = fixture.Anonymous();
        http.DefaultRequestHeaders.Authorization = new("bearer", await CloudControllerFixture.PasswordGrantAsync(http, name, "pw"));
        return http;
    }

    private static async Task<string> SharedDomainAsync(HttpClient admin) =>
        (await ListAsync(admin, "/v3/domains?names=apps.localhost")).GetProperty("resources")[0].GetProperty("guid").GetString()!;

    private static async Task<(string Id, string Name)> NewUaaUserAsync(HttpClient admin)
    {
        var name = $"u-{Guid.NewGuid():N}";
        var id = (await (await admin.PostJsonAsync("/Users", new { userName = name, password = "pw" })).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetString()!;
        return (id, name);
    }

    private static async Task<JsonElement> ListAsync(HttpClient http, string url) => await (await http.GetAsync(url)).JsonAsync(HttpStatusCode.OK);

    private static object SpaceBody(string name, string org) => new { name, relationships = new { organization = new { data = new { guid = org } } } };

    private static object OrgRole(string type, string org, string username) =>
        new { type, relationships = new { organization = new { data = new { guid = org } }, user = new { data = new { username } } } };

    private static object SpaceRole(string type, string space, string username) =>
        new { type, relationships = new { space = new { data = new { guid = space } }, user = new { data = new { username } } } };

    private static object RouteBody(string space, string domain, string host, string path = "") =>
        new { host, path, relationships = new { space = new { data = new { guid = space } }, domain = new { data = new { guid = domain } } } };
}
