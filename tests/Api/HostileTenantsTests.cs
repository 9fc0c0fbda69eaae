using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CloudController.GrainInterfaces.Events;
using CloudController.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CloudController.Tests.Api;

/// <summary>
/// The second round of hostile-tenant findings, each tried as a tenant would on a shared platform and refused with
/// CF's error: tokens bound to users, lockout by user, routes and domains that cannot take another tenant's URLs,
/// events read from the caller's own partitions, and every count or size a client controls bounded.
/// </summary>
[Collection(ApiTier2.Name)]
public sealed class HostileTenantsTests(CloudControllerFixture fixture)
{
    [Fact]
    public async Task ADeletedUsersRefreshTokenDoesNotWorkForTheNextUserOfTheSameName()
    {
        using var admin = await fixture.Admin();
        using var anonymous = fixture.Anonymous();
        var name = $"h2-{Guid.NewGuid():N}";
        var first = await NewUaaUserAsync(admin, name, "pw-first");
        var refresh = (await (await GrantAsync(anonymous, ("grant_type", "password"), ("username", name), ("password", "pw-first")))
            .JsonAsync(HttpStatusCode.OK)).GetProperty("refresh_token").GetString()!;
        await (await GrantAsync(anonymous, ("grant_type", "refresh_token"), ("refresh_token", refresh))).JsonAsync(HttpStatusCode.OK);

        await (await admin.DeleteAsync($"/Users/{first}")).JsonAsync(HttpStatusCode.OK);
        await NewUaaUserAsync(admin, name, "pw-second");

        var refused = await (await GrantAsync(anonymous, ("grant_type", "refresh_token"), ("refresh_token", refresh))).JsonAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("invalid_token", refused.GetProperty("error").GetString());
    }

    [Fact]
    public async Task APasswordChangeEndsTheRefreshTokensIssuedBefore()
    {
        using var admin = await fixture.Admin();
        using var anonymous = fixture.Anonymous();
        var name = $"h2-{Guid.NewGuid():N}";
        var id = await NewUaaUserAsync(admin, name, "pw-old");
        var tokens = await (await GrantAsync(anonymous, ("grant_type", "password"), ("username", name), ("password", "pw-old"))).JsonAsync(HttpStatusCode.OK);
        using var self = fixture.Anonymous();
        self.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("bearer", tokens.GetProperty("access_token").GetString());

        await (await self.PutJsonAsync($"/Users/{id}/password", new { oldPassword = "wrong", password = "pw-new" })).JsonAsync(HttpStatusCode.Unauthorized);
        await (await self.PutJsonAsync($"/Users/{Guid.NewGuid()}/password", new { password = "pw-new" })).JsonAsync(HttpStatusCode.NotFound);
        await (await self.PutJsonAsync($"/Users/{id}/password", new { oldPassword = "pw-old", password = "pw-new" })).JsonAsync(HttpStatusCode.OK);

        await (await GrantAsync(anonymous, ("grant_type", "refresh_token"), ("refresh_token", tokens.GetProperty("refresh_token").GetString()!)))
            .JsonAsync(HttpStatusCode.Unauthorized);
        await (await GrantAsync(anonymous, ("grant_type", "password"), ("username", name), ("password", "pw-old"))).JsonAsync(HttpStatusCode.Unauthorized);
        await (await GrantAsync(anonymous, ("grant_type", "password"), ("username", name), ("password", "pw-new"))).JsonAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task TheLockoutCountsFailuresOfOneUserWhateverTheSpelling()
    {
        using var admin = await fixture.Admin();
        using var anonymous = fixture.Anonymous();
        var name = $"h2-lock-{Guid.NewGuid():N}";
        await NewUaaUserAsync(admin, name, "right");
        string[] spellings = [name, name.ToUpperInvariant(), char.ToUpperInvariant(name[0]) + name[1..], name, name.ToUpperInvariant()];
        foreach (var spelling in spellings)
        {
            await (await GrantAsync(anonymous, ("grant_type", "password"), ("username", spelling), ("password", "wrong"))).JsonAsync(HttpStatusCode.Unauthorized);
        }

        var locked = await (await GrantAsync(anonymous, ("grant_type", "password"), ("username", name.ToUpperInvariant()), ("password", "right")))
            .JsonAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("locked", locked.GetProperty("error_description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnlyAnAdminMakesAWildcardRouteOnASharedDomain()
    {
        using var admin = await fixture.Admin();
        using var developer = await fixture.As("writer");
        var (org, space) = await RoutingTests.NewOrgAndSpaceAsync(admin);
        await OrganizationsAndSpacesTests.GrantAsync(admin, org, space, "writer", "developers");
        var shared = await RoutingTests.SharedDomainAsync(admin);
        var owned = await RoutingTests.NewPrivateDomainAsync(admin, org);

        await (await developer.PostJsonAsync("/v2/routes", new { host = "*", domain_guid = shared, space_guid = space }))
            .V2ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");
        await (await developer.GetAsync($"/v2/routes/reserved/domain/{shared}/host/*")).V2ErrorAsync(HttpStatusCode.NotFound, 10000, "CF-NotFound");
        await RoutingTests.NewRouteAsync(developer, "*", owned, space);
        var host = $"own-{Guid.NewGuid():N}"[..20];
        var route = await RoutingTests.NewRouteAsync(developer, host, shared, space);
        await (await developer.PutJsonAsync($"/v2/routes/{route}", new { host = "*" })).V2ErrorAsync(HttpStatusCode.Forbidden, 10003, "CF-NotAuthorized");
        await (await admin.DeleteAsync($"/v2/routes/{route}")).JsonAsync(HttpStatusCode.NoContent);
    }

    /// <summary>A host name is either a domain or a route's URL, never both, however they race.</summary>
    [Fact]
    public async Task ADomainCannotTakeARoutesUrlNorARouteADomainsName()
    {
        using var admin = await fixture.Admin();
        var (org, space) = await RoutingTests.NewOrgAndSpaceAsync(admin);
        var parent = await RoutingTests.NewPrivateDomainAsync(admin, org);
        var parentName = (await (await admin.GetAsync($"/v2/private_domains/{parent}")).JsonAsync(HttpStatusCode.OK)).GetProperty("entity").GetProperty("name").GetString()!;
        await RoutingTests.NewRouteAsync(admin, "www", parent, space);

        // The route holds www.<parent>: neither its own organization nor an admin's shared domain may take that name.
        var conflict = await (await admin.PostJsonAsync("/v2/private_domains", new { name = $"www.{parentName}", owning_organization_guid = org }))
            .V2ErrorAsync(HttpStatusCode.BadRequest, 130001, "CF-DomainInvalid");
        Assert.Contains("reserved by a route", conflict.GetProperty("description").GetString(), StringComparison.Ordinal);
        await (await admin.PostJsonAsync("/v2/shared_domains", new { name = $"www.{parentName}" })).V2ErrorAsync(HttpStatusCode.BadRequest, 130001, "CF-DomainInvalid");

        // The domain holds sub.<parent>: no route may take that URL.
        await (await admin.PostJsonAsync("/v2/private_domains", new { name = $"sub.{parentName}", owning_organization_guid = org })).JsonAsync(HttpStatusCode.Created);
        await (await admin.PostJsonAsync("/v2/routes", new { host = "sub", domain_guid = parent, space_guid = space }))
            .V2ErrorAsync(HttpStatusCode.BadRequest, 210003, "CF-RouteHostTaken");
    }

    [Fact]
    public async Task APrivateDomainCannotNestUnderAnotherOrganizationsOrASharedDomain()
    {
        using var admin = await fixture.Admin();
        var (orgA, _) = await RoutingTests.NewOrgAndSpaceAsync(admin);
        var (orgB, _) = await RoutingTests.NewOrgAndSpaceAsync(admin);
        var a = await RoutingTests.NewPrivateDomainAsync(admin, orgA);
        var aName = (await (await admin.GetAsync($"/v2/private_domains/{a}")).JsonAsync(HttpStatusCode.OK)).GetProperty("entity").GetProperty("name").GetString()!;

        var nested = await (await admin.PostJsonAsync("/v2/private_domains", new { name = $"login.{aName}", owning_organization_guid = orgB }))
            .V2ErrorAsync(HttpStatusCode.BadRequest, 130001, "CF-DomainInvalid");
        Assert.Contains("overlaps", nested.GetProperty("description").GetString(), StringComparison.Ordinal);
        await (await admin.PostJsonAsync("/v2/private_domains", new { name = $"h2a-{Guid.NewGuid():N}.apps.localhost", owning_organization_guid = orgB }))
            .V2ErrorAsync(HttpStatusCode.BadRequest, 130001, "CF-DomainInvalid");

        // Its own organization may nest under it.
        await (await admin.PostJsonAsync("/v2/private_domains", new { name = $"login.{aName}", owning_organization_guid = orgA })).JsonAsync(HttpStatusCode.Created);
    }

    /// <summary>A tenant's event list reads its own partitions only: its cost does not grow with everyone else's events.</summary>
    [Fact]
    public async Task ATenantsEventsAreReadFromItsOwnPartitionsOnly()
    {
        using var admin = await fixture.Admin();
        var noisy = await OrganizationsAndSpacesTests.CreateBareSpaceAsync(admin, await AuthTests.CreateOrgAsync(admin), "noisy");
        var noisyApps = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => AppsTests.NewAppAsync(admin, noisy, $"noisy-{i}")));
        await Task.WhenAll(noisyApps.SelectMany(app => Enumerable.Range(0, 10).Select(i => admin.PutJsonAsync($"/v2/apps/{app}", new { instances = i + 1 }))));

        var (org, space) = await RoutingTests.NewOrgAndSpaceAsync(admin);
        await OrganizationsAndSpacesTests.GrantAsync(admin, org, space, "writer", "developers");
        using var tenant = await fixture.As("writer");
        var mine = await AppsTests.NewAppAsync(tenant, space, "mine");
        await (await tenant.PutJsonAsync($"/v2/apps/{mine}", new { instances = 2 })).JsonAsync(HttpStatusCode.Created);

        var listed = await (await tenant.GetAsync("/v2/events?order-direction=desc")).JsonAsync(HttpStatusCode.OK);
        var actees = listed.GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("entity").GetProperty("actee").GetString()).ToHashSet();
        Assert.Contains(mine, actees);
        Assert.DoesNotContain(noisyApps[0], actees);

        var grains = fixture.Silo.Services.GetRequiredService<IGrainFactory>();
        var page = await grains.GetGrain<IAuditGrain>(0).QueryAsync(new EventQuery([], [], [], [], [],
            new EventVisibility([Guid.Parse(space)], [Guid.Parse(org)]), true, 1, 50));
        Assert.Equal(2, page.PartitionsRead);
        Assert.True(page.RowsRead <= 20, $"a tenant with a handful of events read {page.RowsRead} rows");
        Assert.All(page.Events, e => Assert.True(e.SpaceGuid == Guid.Parse(space) || e.OrganizationGuid == Guid.Parse(org)));
    }

    [Fact]
    public async Task EveryCountOrSizeATenantControlsIsBounded()
    {
        using var admin = await fixture.Admin();
        var space = await AppsTests.NewSpaceAsync(admin);
        var app = await AppsTests.NewAppAsync(admin, space);

        // Resource matching: at most 5,000 fingerprints (CF's v3 limit), refused before any lookup.
        object[] Fingerprints(int n) => [.. Enumerable.Range(0, n).Select(i => new { sha1 = $"{i:x40}", size = 70_000 })];
        await (await admin.PutJsonAsync("/v2/resource_match", Fingerprints(5001))).V2ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        await (await admin.PutJsonAsync("/v2/resource_match", Fingerprints(5000))).JsonAsync(HttpStatusCode.OK);

        // Environments: at most 50 KB serialized, in both APIs; nothing is stored on refusal.
        var big = new { BIG = new string('x', 51 * 1024) };
        await (await admin.PutJsonAsync($"/v2/apps/{app}", new { environment_json = big })).V2ErrorAsync(HttpStatusCode.BadRequest, 100001, "CF-AppInvalid");
        await (await admin.PostJsonAsync("/v3/apps", new { name = "big-env", environment_variables = big, relationships = new { space = new { data = new { guid = space } } } }))
            .V3ErrorAsync(HttpStatusCode.UnprocessableEntity, 10008, "CF-UnprocessableEntity");
        Assert.Equal("{}", (await BitsTests.EntityAsync(admin, app)).GetProperty("environment_json").GetRawText());
    }

    [Fact]
    public async Task AProcfileOfTooManyTypesOrTooManyBytesFailsItsStaging()
    {
        using var admin = await fixture.Admin();
        var space = await AppsTests.NewSpaceAsync(admin);
        foreach (var procfile in new[]
        {
            string.Concat(Enumerable.Range(0, 51).Select(i => $"t{i}: ./work\n")),
            "web: ./serve\n# " + new string('x', 70 * 1024) + "\n",
        })
        {
            var app = await AppsTests.NewAppAsync(admin, space);
            await BitsTests.Upload201Async(admin, app, [], Zips.Create(("index.html", Zips.Text("hi"), 0x1A4), ("Procfile", Zips.Text(procfile), 0x1A4)));
            await (await admin.PutJsonAsync($"/v2/apps/{app}", new { state = "STARTED", memory = 64 })).JsonAsync(HttpStatusCode.Created);
            var staged = await StagingTests.WaitForStagingAsync(admin, app);
            Assert.Equal("FAILED", staged.GetProperty("package_state").GetString());
            Assert.Equal("StagingError", staged.GetProperty("staging_failed_reason").GetString());
        }
    }

    [Fact]
    public async Task TheInstanceMemoryLimitHoldsWhenInstancesAreTradedForMemory()
    {
        using var admin = await fixture.Admin();
        var org = await OrgWithQuotaAsync(admin, new { instance_memory_limit = 512, total_private_domains = 1 });
        var space = await OrganizationsAndSpacesTests.CreateSpaceAsync(admin, org, "space");
        var app = await RuntimeTests.StartedAppAsync(admin, space, "traded");
        await (await admin.PutJsonAsync($"/v2/apps/{app}", new { instances = 2, memory = 512 })).JsonAsync(HttpStatusCode.Created);

        await (await admin.PutJsonAsync($"/v2/apps/{app}", new { instances = 1, memory = 1024 }))
            .V2ErrorAsync(HttpStatusCode.BadRequest, 100007, "CF-QuotaInstanceMemoryLimitExceeded");
        var entity = await BitsTests.EntityAsync(admin, app);
        Assert.Equal((2, 512), (entity.GetProperty("instances").GetInt32(), entity.GetProperty("memory").GetInt32()));
    }

    [Fact]
    public async Task TotalPrivateDomainsIsEnforced()
    {
        using var admin = await fixture.Admin();
        var org = await OrgWithQuotaAsync(admin, new { total_private_domains = 1 });
        await RoutingTests.NewPrivateDomainAsync(admin, org);

        var refused = await (await admin.PostJsonAsync("/v2/private_domains", new { name = $"d-{Guid.NewGuid():N}.example", owning_organization_guid = org }))
            .V2ErrorAsync(HttpStatusCode.BadRequest, 130005, "CF-TotalPrivateDomainsExceeded");
        Assert.Contains("exceeds the quota", refused.GetProperty("description").GetString(), StringComparison.Ordinal);
        var owned = await (await admin.GetAsync($"/v2/organizations/{org}/private_domains")).JsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, owned.GetProperty("total_results").GetInt32());
    }

    private static async Task<string> OrgWithQuotaAsync(HttpClient admin, object limits)
    {
        var body = JsonSerializer.SerializeToNode(new
        {
            name = $"q-{Guid.NewGuid():N}", non_basic_services_allowed = true, total_services = 1, total_routes = 10, memory_limit = 10240,
        })!.AsObject();
        foreach (var (key, value) in JsonSerializer.SerializeToNode(limits)!.AsObject())
        {
            body[key] = value?.DeepClone();
        }

        var quota = await (await admin.PostAsync("/v2/quota_definitions", new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json")))
            .JsonAsync(HttpStatusCode.Created);
        var org = await (await admin.PostJsonAsync("/v2/organizations", new { name = $"o-{Guid.NewGuid():N}", quota_definition_guid = quota.GetProperty("metadata").GetProperty("guid").GetString() }))
            .JsonAsync(HttpStatusCode.Created);
        return org.GetProperty("metadata").GetProperty("guid").GetString()!;
    }

    private static async Task<string> NewUaaUserAsync(HttpClient admin, string name, string password) =>
        (await (await admin.PostJsonAsync("/Users", new { userName = name, password })).JsonAsync(HttpStatusCode.Created)).GetProperty("id").GetString()!;

    private static Task<HttpResponseMessage> GrantAsync(HttpClient http, params (string Key, string Value)[] form)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/token")
        {
            Content = new FormUrlEncodedContent(form.Select(f => KeyValuePair.Create(f.Key, f.Value))),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", "Y2Y6");
        return http.SendAsync(request);
    }
}
