using System.Collections.Immutable;
using System.Text.Json;
using CloudController.Api.Auth;
using CloudController.Api.Hosting;
using CloudController.Api.Json;
using CloudController.Api.Paging;
using CloudController.Api.Platform;
using CloudController.Api.Resources;
using CloudController.GrainInterfaces.Access;
using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Config;
using CloudController.GrainInterfaces.Domains;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Lists;
using CloudController.GrainInterfaces.Organizations;
using CloudController.GrainInterfaces.Routes;
using CloudController.GrainInterfaces.Spaces;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CloudController.Api.Endpoints;

/// <summary>
/// v3 domains, routes and destinations: the same domain and route grains v2 uses, with the same uniqueness rules. A
/// route's destinations are the apps mapped to it (their web processes: the only destinations kept here).
/// </summary>
internal static class V3RoutingEndpoints
{
    /// <summary>At most this many destinations per request.</summary>
    private const int MaxDestinations = 100;

    private static readonly string[] RouteFilters =
        ["app_guids", "domain_guids", "hosts", "paths", "ports", "space_guids", "organization_guids", "guids", "label_selector", "include"];

    public static IEndpointRouteBuilder MapV3Routing(this IEndpointRouteBuilder routes)
    {
        var domains = routes.MapGroup("/v3/domains");
        domains.MapGet("/", ListDomainsAsync).Unguarded("lists shared domains and the caller's organizations' private ones");
        domains.MapGet("/{guid}", GetDomainAsync).Unguarded("shared domains are everyone's; a private one checks its organization");
        domains.MapPost("/", CreateDomainAsync).Unguarded("shared: admins; private: checks that the caller manages the organization");
        domains.MapDelete("/{guid}", DeleteDomainAsync).Unguarded("shared: admins; private: checks that the caller manages the organization");
        domains.MapGet("/{guid}/route_reservations", RouteReservationsAsync).Unguarded("answers only whether an address is taken");
        domains.MapGet("/{guid}/relationships/shared_organizations", SharedOrganizationsAsync).Unguarded("no domain is shared with organizations here");

        var v3 = routes.MapGroup("/v3/routes");
        v3.MapGet("/", ListRoutesAsync).Unguarded("lists the routes of the caller's spaces only");
        v3.MapGet("/{guid}", GetRouteAsync).Guard(AccessKind.Route, AccessNeed.Read);
        v3.MapPost("/", CreateRouteAsync).Unguarded("checks that the caller develops in the body's space");
        v3.MapDelete("/{guid}", DeleteRouteAsync).Guard(AccessKind.Route, AccessNeed.Develop);
        v3.MapGet("/{guid}/destinations", DestinationsAsync).Guard(AccessKind.Route, AccessNeed.Read);
        v3.MapPost("/{guid}/destinations", (string guid, HttpContext http, IGrainFactory grains, BaseUrl baseUrl) =>
            SetDestinationsAsync(guid, http, grains, baseUrl, replace: false)).Guard(AccessKind.Route, AccessNeed.Develop);
        v3.MapPatch("/{guid}/destinations", (string guid, HttpContext http, IGrainFactory grains, BaseUrl baseUrl) =>
            SetDestinationsAsync(guid, http, grains, baseUrl, replace: true)).Guard(AccessKind.Route, AccessNeed.Develop);
        v3.MapDelete("/{guid}/destinations/{destination}", DeleteDestinationAsync).Guard(AccessKind.Route, AccessNeed.Develop);
        routes.MapGet("/v3/apps/{guid}/routes", AppRoutesAsync).Guard(AccessKind.App, AccessNeed.Read);
        return routes;
    }

    private static async Task<Ok<V3Page<V3Domain>>> ListDomainsAsync(HttpContext http, IGrainFactory grains, PlatformSeed seed, BaseUrl baseUrl)
    {
        await seed.EnsureAsync();
        var query = V3ListQuery.Parse(http.Request.Query, ["names", "guids", "organization_guids", "label_selector"]);
        var orgs = query.GuidsOf("organization_guids");
        var page = await grains.Lists().DomainsAsync(http.ListCaller(), new ListFilter
        {
            Names = query.ValuesOf("names"),
            Guids = query.GuidsOf("guids"),
            OrganizationGuids = orgs,
            Shared = orgs.IsDefaultOrEmpty ? null : false,
        }, query.Window);
        var url = baseUrl.Of(http);
        return TypedResults.Ok(V3Page<V3Domain>.Create(url, http.Request.Path, query, page.TotalResults, [.. page.Items.Select(d => V3Domain.From(d, url))]));
    }

    private static async Task<Ok<V3Domain>> GetDomainAsync(string guid, HttpContext http, IGrainFactory grains, PlatformSeed seed, BaseUrl baseUrl)
    {
        await seed.EnsureAsync();
        return TypedResults.Ok(V3Domain.From(await VisibleDomainAsync(guid, http, grains), baseUrl.Of(http)));
    }

    /// <summary>
    /// <c>POST /v3/domains</c>: <c>name</c>, <c>internal</c>, <c>router_group</c>, <c>relationships.organization</c> (a
    /// private domain), <c>metadata</c>. Shared domains are admins'; a private one its organization's managers' while
    /// <c>private_domain_creation</c> is on.
    /// </summary>
    private static async Task<IResult> CreateDomainAsync(HttpContext http, IGrainFactory grains, BaseUrl baseUrl)
    {
        var body = await V3Body.ReadAsync(http.Request, "name", "internal", "router_group", "relationships", "metadata");
        var name = body.Fields.OptionalString("name") ?? throw CloudControllerException.Unprocessable("Name can't be blank");
        var isInternal = body.Fields.OptionalBool("internal") ?? false;
        if (body.Root.TryGetProperty("relationships", out var relationships))
        {
            V3Body.AllowOnly(relationships, "Relationships", "organization", "shared_organizations");
            if (body.Data("shared_organizations") is { } shared && V3Body.Guids(shared, 1, InvalidSharedOrganizations).Count > 0)
            {
                throw CloudControllerException.Unprocessable("Domains cannot be shared with other organizations on this server.");
            }
        }

        var org = body.Relationship("organization", InvalidOrganization);
        string? routerGroup = null;
        if (body.Root.TryGetProperty("router_group", out var group) && group.ValueKind != JsonValueKind.Null)
        {
            if (org is not null)
            {
                throw CloudControllerException.Unprocessable("Domains scoped to an organization cannot be associated to a router group.");
            }

            routerGroup = "tcp";
        }

        if (org is { } owner)
        {
            if (isInternal)
            {
                throw CloudControllerException.Unprocessable("Cannot create private domain that is internal");
            }

            await http.RequireNamedAsync(AccessKind.Organization, owner, AccessNeed.ManageOrganization, InvalidOrganization);

            await FeatureFlagsEndpoints.RequireAsync(http, grains, FeatureFlags.PrivateDomainCreation);
        }
        else if (!http.CfUser()!.IsAdmin)
        {
            throw AccessControl.NotAuthorized();
        }

        http.Carry(Audit.Node(body.Root));
        try
        {
            var domain = await grains.GetGrain<IDomainGrain>(Guid.NewGuid()).CreateAsync(new CreateDomain(name, org, isInternal, routerGroup));
            return TypedResults.Json(V3Domain.From(domain, baseUrl.Of(http)), CfJson.Options, statusCode: 201);
        }
        catch (CloudControllerException e) when (e.Code == CfErrorCode.DomainNameTaken)
        {
            throw CloudControllerException.Unprocessable($"The domain name \"{name.Trim().ToLowerInvariant()}\" is already in use");
        }
        catch (CloudControllerException e) when (e.Code == CfErrorCode.TotalPrivateDomainsExceeded && org is { } quotaOrg)
        {
            var orgName = (await grains.GetGrain<IOrganizationGrain>(quotaOrg).FindAsync())?.Name ?? quotaOrg.ToString();
            throw CloudControllerException.Unprocessable($"The number of private domains exceeds the quota for organization \"{orgName}\"");
        }
    }

    /// <summary><c>DELETE /v3/domains/:guid</c>: a job deletes its routes, then it. Shared: admins; private: its organization's managers.</summary>
    private static async Task<IResult> DeleteDomainAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var domain = await VisibleDomainAsync(guid, http, grains);
        if (domain.OwningOrganizationGuid is { } org)
        {
            await http.RequireAsync(AccessKind.Organization, org, AccessNeed.ManageOrganization);
        }
        else if (!http.CfUser()!.IsAdmin)
        {
            throw AccessControl.NotAuthorized();
        }

        return await JobsEndpoints.AcceptedAsync(http, grains, GrainInterfaces.Jobs.JobKind.DeleteDomain, domain.Guid);
    }

    /// <summary><c>GET /v3/domains/:guid/route_reservations?host=&amp;path=</c>: whether any route holds the address.</summary>
    private static async Task<IResult> RouteReservationsAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var query = V3ListQuery.Parse(http.Request.Query, ["host", "path", "port"]);
        var domain = await VisibleDomainAsync(guid, http, grains);
        var host = query.ValuesOf("host").FirstOrDefault() ?? "";
        var path = query.ValuesOf("path").FirstOrDefault() ?? "";
        var taken = await grains.Lists().RouteTakenAsync(domain.Guid, host, path);
        return TypedResults.Json(new System.Text.Json.Nodes.JsonObject { ["matching_route"] = taken }, CfJson.Options);
    }

    private static async Task<IResult> SharedOrganizationsAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        await VisibleDomainAsync(guid, http, grains);
        return TypedResults.Json(new System.Text.Json.Nodes.JsonObject { ["data"] = new System.Text.Json.Nodes.JsonArray() }, CfJson.Options);
    }

    /// <summary>A shared domain, or a private one whose organization the caller sees; otherwise 404 Domain not found.</summary>
    private static async Task<DomainSnapshot> VisibleDomainAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var domain = await grains.GetGrain<IDomainGrain>(RouteGuid.Parse(guid, _ => DomainNotFound())).FindAsync() ?? throw DomainNotFound();
        if (domain.OwningOrganizationGuid is { } org)
        {
            await http.RequireNamedAsync(AccessKind.Organization, org, AccessNeed.Read, DomainNotFound);
        }

        return domain;
    }

    private static async Task<IResult> ListRoutesAsync(HttpContext http, IGrainFactory grains, BaseUrl baseUrl)
    {
        var query = V3ListQuery.Parse(http.Request.Query, RouteFilters);
        return await RoutePageAsync(http, grains, baseUrl, query, new ListFilter
        {
            AppGuids = query.GuidsOf("app_guids"),
            SpaceGuids = query.GuidsOf("space_guids"),
            OrganizationGuids = query.GuidsOf("organization_guids"),
            DomainGuids = query.GuidsOf("domain_guids"),
            Guids = query.GuidsOf("guids"),
        });
    }

    private static async Task<IResult> AppRoutesAsync(string guid, HttpContext http, IGrainFactory grains, BaseUrl baseUrl)
    {
        var app = http.JudgedApp(RouteGuid.Parse(guid, CloudControllerException.AppNotFound))
            ?? await grains.GetGrain<IAppGrain>(RouteGuid.Parse(guid, CloudControllerException.AppNotFound)).GetAsync();
        var query = V3ListQuery.Parse(http.Request.Query, RouteFilters);
        return await RoutePageAsync(http, grains, baseUrl, query, new ListFilter
        {
            AppGuids = [app.Guid],
            DomainGuids = query.GuidsOf("domain_guids"),
            Guids = query.GuidsOf("guids"),
        });
    }

    /// <summary>
    /// A page of routes, with the host and path filters (an empty value matches the empty host or path), their domains
    /// for the URLs, and <c>include=domain,space,space.organization</c>.
    /// </summary>
    private static async Task<IResult> RoutePageAsync(HttpContext http, IGrainFactory grains, BaseUrl baseUrl, V3ListQuery query, ListFilter filter)
    {
        var include = query.ValuesOf("include");
        if (include.Any(i => i is not ("domain" or "space" or "space.organization")))
        {
            throw CloudControllerException.BadQuery("The query parameter is invalid: include may be 'domain', 'space' and 'space.organization'");
        }

        var url = baseUrl.Of(http);
        if (query.ValuesOf("ports") is { IsEmpty: false } ports && ports.Any(p => p.Length > 0))
        {
            // No TCP routes exist here: a port filter matches nothing.
            return TypedResults.Ok(V3Page<V3Route>.Create(url, http.Request.Path, query, 0, []));
        }

        filter = filter with
        {
            Hosts = query.Filters.ContainsKey("hosts") ? query.ValuesOf("hosts") : null,
            Paths = query.Filters.ContainsKey("paths") ? query.ValuesOf("paths") : null,
        };
        var page = await grains.Lists().RoutesAsync(http.ListCaller(), filter, query.Window);
        var domains = await DomainsOfAsync(grains, page.Items);
        var rendered = page.Items.Where(r => domains.ContainsKey(r.DomainGuid)).Select(r => V3Route.From(r, domains[r.DomainGuid], url)).ToList();
        var result = V3Page<V3Route>.Create(url, http.Request.Path, query, page.TotalResults, rendered);
        if (include.IsDefaultOrEmpty)
        {
            return TypedResults.Ok(result);
        }

        var included = new Dictionary<string, IReadOnlyList<object>>();
        if (include.Contains("domain"))
        {
            included["domains"] = [.. domains.Values.Select(d => (object)V3Domain.From(d, url))];
        }

        if (include.Contains("space") || include.Contains("space.organization"))
        {
            var spaces = (await Task.WhenAll(page.Items.Select(r => r.SpaceGuid).Distinct().Select(s => grains.GetGrain<ISpaceGrain>(s).FindAsync()))).OfType<SpaceSnapshot>().ToList();
            if (include.Contains("space"))
            {
                included["spaces"] = [.. spaces.Select(s => (object)V3Space.From(s, url))];
            }

            if (include.Contains("space.organization"))
            {
                var orgs = await Task.WhenAll(spaces.Select(s => s.OrganizationGuid).Distinct().Select(o => grains.GetGrain<IOrganizationGrain>(o).FindAsync()));
                included["organizations"] = [.. orgs.OfType<OrganizationSnapshot>().Select(o => (object)V3Organization.From(o, url))];
            }
        }

        return TypedResults.Ok(result with { Included = included });
    }

    private static async Task<Ok<V3Route>> GetRouteAsync(string guid, HttpContext http, IGrainFactory grains, BaseUrl baseUrl) =>
        TypedResults.Ok(await RenderAsync(grains, await Route(grains, guid).GetAsync(), baseUrl.Of(http)));

    /// <summary>
    /// <c>POST /v3/routes</c>: <c>relationships.space</c> and <c>.domain</c>, <c>host</c>, <c>path</c>, <c>metadata</c>;
    /// space developers (while <c>route_creation</c> is on) and admins.
    /// </summary>
    private static async Task<IResult> CreateRouteAsync(HttpContext http, IGrainFactory grains, BaseUrl baseUrl)
    {
        var body = await V3Body.ReadAsync(http.Request, "host", "path", "port", "relationships", "metadata", "options");
        if (body.Root.TryGetProperty("relationships", out var relationships))
        {
            V3Body.AllowOnly(relationships, "Relationships", "space", "domain");
        }

        var space = body.Relationship("space", InvalidSpace) ?? throw InvalidSpace();
        var domainGuid = body.Relationship("domain", InvalidDomain) ?? throw InvalidDomain();
        var host = body.Fields.OptionalString("host") ?? "";
        var path = body.Fields.OptionalString("path") ?? "";
        if (body.Fields.OptionalInt("port") is not null)
        {
            throw CloudControllerException.Unprocessable("Routes with ports need a TCP domain; none exist on this server.");
        }

        await http.RequireNamedAsync(AccessKind.Space, space, AccessNeed.Develop, InvalidSpace);

        await FeatureFlagsEndpoints.RequireAsync(http, grains, FeatureFlags.RouteCreation);
        var domain = await grains.GetGrain<IDomainGrain>(domainGuid).FindAsync() ?? throw InvalidDomain();
        var spaceOrg = await grains.GetGrain<ISpaceGrain>(space).OrganizationAsync();
        if (!domain.UsableBy(spaceOrg ?? Guid.Empty))
        {
            throw InvalidDomain();
        }

        if (domain.Shared && host.Length == 0)
        {
            throw CloudControllerException.Unprocessable("Missing host. Routes in shared domains must have a host defined.");
        }

        await RoutesEndpoints.RefuseWildcardAsync(http, grains, host, domainGuid);
        http.Carry(Audit.Node(body.Root));
        try
        {
            var route = await grains.GetGrain<IRouteGrain>(Guid.NewGuid()).CreateAsync(new CreateRoute(host, domainGuid, space, path, null));
            return TypedResults.Json(V3Route.From(route, domain, baseUrl.Of(http)), CfJson.Options, statusCode: 201);
        }
        catch (CloudControllerException e) when (e.Code is CfErrorCode.RouteHostTaken or CfErrorCode.RoutePathTaken)
        {
            throw CloudControllerException.Unprocessable((host.Length > 0, path.Length > 0) switch
            {
                (true, true) => $"Route already exists with host '{host}' and path '{path}' for domain '{domain.Name}'.",
                (true, false) => $"Route already exists with host '{host}' for domain '{domain.Name}'.",
                (false, true) => $"Route already exists with path '{path}' for domain '{domain.Name}'.",
                _ => $"Route already exists for domain '{domain.Name}'.",
            });
        }
    }

    private static async Task<IResult> DeleteRouteAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var route = await Route(grains, guid).GetAsync();
        return await JobsEndpoints.AcceptedAsync(http, grains, GrainInterfaces.Jobs.JobKind.DeleteRoute, route.Guid);
    }

    private static async Task<IResult> DestinationsAsync(string guid, HttpContext http, IGrainFactory grains, BaseUrl baseUrl) =>
        TypedResults.Json(DestinationsDocument(await Route(grains, guid).GetAsync(), baseUrl.Of(http)), CfJson.Options);

    /// <summary>
    /// Adds (POST) or replaces (PATCH) a route's destinations: apps of the route's space, each by its web process. The
    /// caller must develop in the apps' space too. Answers the route's destinations.
    /// </summary>
    private static async Task<IResult> SetDestinationsAsync(string guid, HttpContext http, IGrainFactory grains, BaseUrl baseUrl, bool replace)
    {
        var grain = Route(grains, guid);
        var route = await grain.GetAsync();
        var body = await V3Body.ReadAsync(http.Request, "destinations");
        if (!body.Root.TryGetProperty("destinations", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            throw CloudControllerException.Unprocessable("Destinations must be an array containing at least one destination.");
        }

        if (list.GetArrayLength() > MaxDestinations)
        {
            throw CloudControllerException.Unprocessable($"Destinations may name at most {MaxDestinations} destinations at once.");
        }

        var wanted = new List<AppSnapshot>();
        foreach (var destination in list.EnumerateArray())
        {
            var appGuid = DestinationApp(destination);
            var app = await grains.GetGrain<IAppGrain>(appGuid).FindAsync()
                ?? throw CloudControllerException.Unprocessable($"App with guid '{appGuid}' not found");
            if (app.SpaceGuid != route.SpaceGuid)
            {
                throw CloudControllerException.Unprocessable("Routes cannot be mapped to destinations in different spaces.");
            }

            await http.RequireAsync(AccessKind.App, app.Guid, AccessNeed.Develop);
            wanted.Add(app);
        }

        http.Carry(Audit.Node(body.Root));
        foreach (var app in wanted.DistinctBy(a => a.Guid).Where(a => !route.Apps.Contains(a.Guid)))
        {
            route = await grain.MapAsync(new MappedApp(app.Guid, app.SpaceGuid, app.Name));
        }

        if (replace)
        {
            foreach (var gone in route.Apps.Where(a => wanted.All(w => w.Guid != a)).ToList())
            {
                route = await grain.UnmapAsync(gone, await grains.GetGrain<IAppGrain>(gone).FindAsync() is { } app ? new MappedApp(app.Guid, app.SpaceGuid, app.Name) : null)
                    ?? route;
            }
        }

        return TypedResults.Json(DestinationsDocument(route, baseUrl.Of(http)), CfJson.Options);
    }

    private static async Task<IResult> DeleteDestinationAsync(string guid, string destination, HttpContext http, IGrainFactory grains)
    {
        var grain = Route(grains, guid);
        var route = await grain.GetAsync();
        var app = route.Apps.FirstOrDefault(a => string.Equals(V3Route.DestinationGuid(route.Guid, a).ToString("D"), destination, StringComparison.OrdinalIgnoreCase));
        if (app == Guid.Empty)
        {
            throw CloudControllerException.Unprocessable("Unable to unmap route from destination. Ensure the route has a destination with this guid.");
        }

        http.Carry();
        await grain.UnmapAsync(app, await grains.GetGrain<IAppGrain>(app).FindAsync() is { } found ? new MappedApp(found.Guid, found.SpaceGuid, found.Name) : null);
        return TypedResults.NoContent();
    }

    /// <summary>A destination's app guid: <c>{"app":{"guid":..., "process":{"type":"web"}}, "port":8080, "protocol":"http1"}</c>.</summary>
    private static Guid DestinationApp(JsonElement destination)
    {
        if (destination.ValueKind != JsonValueKind.Object || !destination.TryGetProperty("app", out var app) || app.ValueKind != JsonValueKind.Object
            || !app.TryGetProperty("guid", out var guid) || guid.ValueKind != JsonValueKind.String || !RouteGuid.TryParse(guid.GetString()!, out var appGuid))
        {
            throw CloudControllerException.Unprocessable("Destinations[0] must have an app with a guid");
        }

        V3Body.AllowOnly(destination, "Destination", "app", "port", "protocol", "weight");
        if (app.TryGetProperty("process", out var process) && process.ValueKind == JsonValueKind.Object
            && process.TryGetProperty("type", out var type) && type.GetString() is { } processType && processType != "web")
        {
            throw CloudControllerException.Unprocessable("Destinations may only name an app's web process on this server.");
        }

        if (destination.TryGetProperty("port", out var port) && port.ValueKind != JsonValueKind.Null && !(port.TryGetInt32(out var p) && p == 8080))
        {
            throw CloudControllerException.Unprocessable("Destinations may only use port 8080 on this server.");
        }

        return appGuid;
    }

    private static System.Text.Json.Nodes.JsonObject DestinationsDocument(RouteSnapshot route, string url) => new()
    {
        ["destinations"] = JsonSerializer.SerializeToNode(V3Route.DestinationsOf(route), CfJson.Options),
        ["links"] = new System.Text.Json.Nodes.JsonObject
        {
            ["self"] = new System.Text.Json.Nodes.JsonObject { ["href"] = $"{url}/v3/routes/{route.Guid}/destinations" },
            ["route"] = new System.Text.Json.Nodes.JsonObject { ["href"] = $"{url}/v3/routes/{route.Guid}" },
        },
    };

    private static async Task<V3Route> RenderAsync(IGrainFactory grains, RouteSnapshot route, string url) =>
        V3Route.From(route, await grains.GetGrain<IDomainGrain>(route.DomainGuid).GetAsync(), url);

    private static async Task<IReadOnlyDictionary<Guid, DomainSnapshot>> DomainsOfAsync(IGrainFactory grains, ImmutableArray<RouteSnapshot> routes) =>
        (await Task.WhenAll(routes.Select(r => r.DomainGuid).Distinct().Select(d => grains.GetGrain<IDomainGrain>(d).FindAsync())))
            .OfType<DomainSnapshot>().ToDictionary(d => d.Guid);

    private static IRouteGrain Route(IGrainFactory grains, string guid) =>
        grains.GetGrain<IRouteGrain>(RouteGuid.Parse(guid, CloudControllerException.RouteNotFound));

    private static CloudControllerException DomainNotFound() => new(CfErrorCode.ResourceNotFound, "Domain not found");

    private static CloudControllerException InvalidOrganization() =>
        CloudControllerException.Unprocessable("Invalid organization. Ensure the organization exists and you have access to it.");

    private static CloudControllerException InvalidSharedOrganizations() =>
        CloudControllerException.Unprocessable("Relationships shared organizations must be {\"data\": [{\"guid\": ...}]}");

    private static CloudControllerException InvalidSpace() =>
        CloudControllerException.Unprocessable("Invalid space. Ensure that the space exists and you have access to it.");

    private static CloudControllerException InvalidDomain() =>
        CloudControllerException.Unprocessable("Invalid domain. Ensure that the domain exists and you have access to it.");
}
