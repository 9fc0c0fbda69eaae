using System.Text.Json.Nodes;
using CloudController.Api.Auth;
using CloudController.Api.Json;
using CloudController.Api.Paging;
using CloudController.Api.Resources;
using CloudController.GrainInterfaces.Lists;
using CloudController.GrainInterfaces.Access;
using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Domains;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Routes;
using CloudController.GrainInterfaces.Spaces;

namespace CloudController.Api.Endpoints;

/// <summary>
/// v2 routes: create, read, list (filtered by host, domain, path, space, organization), update, delete; whether an
/// address is reserved; mapping to apps from either side; an app's, a space's and a route's lists. Host, domain and
/// path are unique across the platform.
/// </summary>
internal static class RoutesEndpoints
{
    private static readonly string[] Filters = ["host", "domain_guid", "organization_guid", "space_guid", "path", "port"];

    public static IEndpointRouteBuilder MapRoutes(this IEndpointRouteBuilder routes)
    {
        var v2 = routes.MapGroup("/v2/routes");
        v2.MapPost("/", CreateAsync).Unguarded("checks that the caller develops in the body's space");
        v2.MapGet("/", ListAsync).Unguarded("lists the routes of the caller's spaces only");
        v2.MapGet("/{guid}", GetAsync).Guard(AccessKind.Route, AccessNeed.Read);
        v2.MapPut("/{guid}", UpdateAsync).Guard(AccessKind.Route, AccessNeed.Develop);
        v2.MapDelete("/{guid}", DeleteAsync).Guard(AccessKind.Route, AccessNeed.Develop);
        v2.MapGet("/{guid}/apps", AppsOfRouteAsync).Guard(AccessKind.Route, AccessNeed.Read);
        v2.MapPut("/{guid}/apps/{app}", (string guid, string app, HttpContext http, IGrainFactory grains) => MapAsync(guid, app, http, grains, RouteSide))
            .Guard(AccessKind.Route, AccessNeed.Develop);
        v2.MapDelete("/{guid}/apps/{app}", (string guid, string app, HttpContext http, IGrainFactory grains) => UnmapAsync(guid, app, http, grains, RouteSide))
            .Guard(AccessKind.Route, AccessNeed.Develop);
        v2.MapGet("/reserved/domain/{domain}", (string domain, HttpContext http, IGrainFactory grains) =>
            ReservedAsync(domain, http.Request.Query["host"].ToString(), http, grains)).Unguarded("answers only whether an address is taken");
        v2.MapGet("/reserved/domain/{domain}/host/{host}", (string domain, string host, HttpContext http, IGrainFactory grains) =>
            ReservedAsync(domain, host, http, grains)).Unguarded("answers only whether an address is taken");

        routes.MapGet("/v2/apps/{guid}/routes", RoutesOfAppAsync).Guard(AccessKind.App, AccessNeed.Read);
        routes.MapPut("/v2/apps/{guid}/routes/{route}", (string guid, string route, HttpContext http, IGrainFactory grains) => MapAsync(route, guid, http, grains, AppSide))
            .Guard(AccessKind.App, AccessNeed.Develop);
        routes.MapDelete("/v2/apps/{guid}/routes/{route}", (string guid, string route, HttpContext http, IGrainFactory grains) => UnmapAsync(route, guid, http, grains, AppSide))
            .Guard(AccessKind.App, AccessNeed.Develop);
        routes.MapGet("/v2/spaces/{guid}/routes", RoutesOfSpaceAsync).Guard(AccessKind.Space, AccessNeed.Read);
        return routes;
    }

    private const bool RouteSide = true;
    private const bool AppSide = false;

    private static async Task<IResult> CreateAsync(HttpContext http, IGrainFactory grains)
    {
        var body = await RequestBody.ReadAsync<RouteRequest>(http.Request, JsonFieldErrors.V2);
        var space = ParseRelation(body.SpaceGuid!, "Space");
        var domain = ParseRelation(body.DomainGuid!, "Domain");
        await http.RequireAsync(AccessKind.Space, space, AccessNeed.Develop);
        await FeatureFlagsEndpoints.RequireAsync(http, grains, GrainInterfaces.Config.FeatureFlags.RouteCreation);
        await RefuseWildcardAsync(http, grains, body.Host, domain);
        http.Carry(body.Raw);
        var route = await grains.GetGrain<IRouteGrain>(Guid.NewGuid())
            .CreateAsync(new CreateRoute(body.Host ?? "", domain, space, body.Path ?? "", body.Port));
        return TypedResults.Json(await RenderAsync(grains, route, http), CfJson.Options, statusCode: 201);
    }

    private static async Task<IResult> GetAsync(string guid, HttpContext http, IGrainFactory grains) =>
        TypedResults.Json(await RenderAsync(grains, await Route(grains, guid).GetAsync(), http), CfJson.Options);

    private static async Task<IResult> UpdateAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var body = await RequestBody.ReadAsync<RouteRequest>(http.Request, JsonFieldErrors.V2, emptyIsObject: true);
        var grain = Route(grains, guid);
        await RefuseWildcardAsync(http, grains, body.Host, (await grain.GetAsync()).DomainGuid);
        http.Carry(body.Raw);
        var route = await grain.UpdateAsync(new UpdateRoute(body.Host, body.Path));
        return TypedResults.Json(await RenderAsync(grains, route, http), CfJson.Options, statusCode: 201);
    }

    private static async Task<IResult> DeleteAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        http.Carry(new JsonObject { ["recursive"] = AsyncDeletion.Recursive(http) });
        await Route(grains, guid).DeleteAsync();
        return AsyncDeletion.Answer(http);
    }

    private static async Task<IResult> ListAsync(HttpContext http, IGrainFactory grains)
    {
        var query = V2ListQuery.Parse(http.Request.Query, Filters, []);
        if (query.ValuesOf("port") is { IsEmpty: false } ports && ports.Any(p => p is not ("" or "0")))
        {
            return TypedResults.Json(V2Page<object>.Create(http.Request.Path, query, 0, []), CfJson.Options);
        }

        return await PageAsync(http, grains, query, Addresses(query) with
        {
            SpaceGuids = query.GuidsOf("space_guid"),
            OrganizationGuids = query.GuidsOf("organization_guid"),
        });
    }

    private static async Task<IResult> RoutesOfSpaceAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var space = await grains.GetGrain<ISpaceGrain>(RouteGuid.Parse(guid, CloudControllerException.SpaceNotFound)).GetAsync();
        var query = V2ListQuery.Parse(http.Request.Query, ["host", "domain_guid", "path"], []);
        return await PageAsync(http, grains, query, Addresses(query) with { SpaceGuids = [space.Guid] });
    }

    /// <summary>An app's routes; the host, domain and path filters are accepted and, as in CF, not applied.</summary>
    private static async Task<IResult> RoutesOfAppAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var app = http.JudgedApp(RouteGuid.Parse(guid, CloudControllerException.AppNotFound))
            ?? await App(grains, guid).GetAsync();
        var query = V2ListQuery.Parse(http.Request.Query, ["host", "domain_guid", "path"], []);
        return await PageAsync(http, grains, query, new ListFilter { AppGuids = [app.Guid] });
    }

    /// <summary>The host, path and domain filters of a routes list (an absent host or path filter is null: an empty one matches the empty value).</summary>
    private static ListFilter Addresses(V2ListQuery query) => new()
    {
        Hosts = query.ValuesOf("host") is { IsEmpty: false } hosts ? hosts : null,
        Paths = query.ValuesOf("path") is { IsEmpty: false } paths ? paths : null,
        DomainGuids = query.GuidsOf("domain_guid"),
    };

    private static async Task<IResult> AppsOfRouteAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var route = await Route(grains, guid).GetAsync();
        var query = V2ListQuery.Parse(http.Request.Query, [], []);
        var apps = (await Task.WhenAll(route.Apps.Select(a => grains.GetGrain<IAppGrain>(a).FindAsync()))).OfType<AppSnapshot>().ToList();
        var visible = await http.VisibleAsync();
        var page = apps.Skip((query.Page - 1) * query.PerPage).Take(query.PerPage)
            .Select(a => AppEntity.Resource(a, http.SeesSecretsOf(a, visible))).ToList();
        return TypedResults.Json(V2Page<AppEntity>.Create(http.Request.Path, query, apps.Count, page), CfJson.Options);
    }

    /// <summary>
    /// Maps an app to a route; the caller must develop in the app's space (the guard checked the side the path starts
    /// with). CF answers with the resource of that side, 201.
    /// </summary>
    private static async Task<IResult> MapAsync(string routeText, string appText, HttpContext http, IGrainFactory grains, bool routeSide)
    {
        var (routeGuid, app) = await BothSidesAsync(routeText, appText, http, grains, routeSide);
        var route = await grains.GetGrain<IRouteGrain>(routeGuid).MapAsync(new MappedApp(app.Guid, app.SpaceGuid, app.Name));
        return routeSide
            ? TypedResults.Json(await RenderAsync(grains, route, http), CfJson.Options, statusCode: 201)
            : TypedResults.Json(AppEntity.Resource(app, http.SeesSecretsOf(app, await http.VisibleAsync())), CfJson.Options, statusCode: 201);
    }

    private static async Task<IResult> UnmapAsync(string routeText, string appText, HttpContext http, IGrainFactory grains, bool routeSide)
    {
        var (routeGuid, app) = await BothSidesAsync(routeText, appText, http, grains, routeSide);
        _ = await grains.GetGrain<IRouteGrain>(routeGuid).UnmapAsync(app.Guid, new MappedApp(app.Guid, app.SpaceGuid, app.Name))
            ?? throw CloudControllerException.RouteNotFound(routeGuid);
        return TypedResults.NoContent();
    }

    private static async Task<(Guid Route, AppSnapshot App)> BothSidesAsync(
        string routeText, string appText, HttpContext http, IGrainFactory grains, bool routeSide)
    {
        var routeGuid = RouteGuid.Parse(routeText, CloudControllerException.RouteNotFound);
        var appGuid = RouteGuid.Parse(appText, CloudControllerException.AppNotFound);
        if (routeSide)
        {
            await http.RequireAsync(AccessKind.App, appGuid, AccessNeed.Develop);
        }
        else
        {
            await http.RequireAsync(AccessKind.Route, routeGuid, AccessNeed.Develop);
        }

        var app = await grains.GetGrain<IAppGrain>(appGuid).FindAsync() ?? throw CloudControllerException.AppNotFound(appGuid);
        _ = await grains.GetGrain<IRouteGrain>(routeGuid).FindAsync() ?? throw CloudControllerException.RouteNotFound(routeGuid);
        return (routeGuid, app);
    }

    /// <summary><c>GET /v2/routes/reserved/domain/:domain[/host/:host]?path=</c>: 204 when taken (anywhere), 404 when free.</summary>
    private static async Task<IResult> ReservedAsync(string domainText, string host, HttpContext http, IGrainFactory grains)
    {
        var domain = RouteGuid.Parse(domainText, CloudControllerException.DomainNotFound);
        var path = http.Request.Query["path"].ToString();
        return await grains.Lists().RouteTakenAsync(domain, host, path)
            ? TypedResults.NoContent()
            : throw new CloudControllerException(CfErrorCode.NotFound, "Unknown request");
    }

    private static async Task<IResult> PageAsync(HttpContext http, IGrainFactory grains, V2ListQuery query, ListFilter filter)
    {
        var page = await grains.Lists().RoutesAsync(http.ListCaller(), filter, query.Window);
        var rendered = await Task.WhenAll(page.Items.Select(r => RenderAsync(grains, r, http, page)));
        return TypedResults.Json(V2Page<RouteEntity>.Create(http.Request.Path, query, page.TotalResults, rendered), CfJson.Options);
    }

    /// <summary>The route's resource; with <c>inline-relations-depth</c> of 1 or more, its domain, space and apps inlined.</summary>
    private static async Task<V2Resource<RouteEntity>> RenderAsync(IGrainFactory grains, RouteSnapshot route, HttpContext http, ListPage<RouteSnapshot>? listed = null)
    {
        var resource = RouteEntity.Resource(route);
        if (!int.TryParse(http.Request.Query["inline-relations-depth"], out var depth) || depth < 1)
        {
            return resource;
        }

        var domain = grains.GetGrain<IDomainGrain>(route.DomainGuid).FindAsync();
        var space = grains.GetGrain<ISpaceGrain>(route.SpaceGuid).FindAsync();
        var apps = Task.WhenAll(route.Apps.Select(a => grains.GetGrain<IAppGrain>(a).FindAsync()));
        await Task.WhenAll(domain, space, apps);
        var visible = listed is null ? await http.VisibleAsync() : listed.Visible;
        return resource with
        {
            Entity = resource.Entity with
            {
                Domain = domain.Result is { } d ? DomainEntity.Inline(d) : null,
                Space = space.Result is { } s ? SpaceEntity.Resource(s) : null,
                Apps = [.. apps.Result.OfType<AppSnapshot>().Select(a => (object)AppEntity.Resource(a, http.SeesSecretsOf(a, visible)))],
            },
        };
    }

    private static Guid ParseRelation(string text, string kind) => RouteGuid.TryParse(text, out var guid)
        ? guid
        : throw CloudControllerException.InvalidRelation($"Could not find VCAP::CloudController::{kind} with guid: {text}");

    /// <summary>
    /// A wildcard host on a shared domain (<c>*.apps.example</c>) would catch every unclaimed host of every tenant: only
    /// admins may make one, as in CF. On a private domain its organization's developers may.
    /// </summary>
    internal static async Task RefuseWildcardAsync(HttpContext http, IGrainFactory grains, string? host, Guid domain)
    {
        if (host?.Trim() == "*" && !http.CfUser()!.IsAdmin && await grains.GetGrain<IDomainGrain>(domain).FindAsync() is { Shared: true })
        {
            throw AccessControl.NotAuthorized();
        }
    }

    private static IRouteGrain Route(IGrainFactory grains, string guid) =>
        grains.GetGrain<IRouteGrain>(RouteGuid.Parse(guid, CloudControllerException.RouteNotFound));

    private static IAppGrain App(IGrainFactory grains, string guid) =>
        grains.GetGrain<IAppGrain>(RouteGuid.Parse(guid, CloudControllerException.AppNotFound));
}

/// <summary><c>POST</c> and <c>PUT /v2/routes</c>. <c>port</c> may be null (the cf CLI sends it so).</summary>
internal sealed record RouteRequest(string? Host, string? DomainGuid, string? SpaceGuid, string? Path, int? Port) : IRequestBody
{
    [System.Text.Json.Serialization.JsonIgnore]
    public JsonObject Raw => new()
    {
        ["host"] = Host,
        ["domain_guid"] = DomainGuid,
        ["space_guid"] = SpaceGuid,
        ["path"] = Path,
        ["port"] = Port,
    };

    public void Validate(JsonFieldErrors errors)
    {
    }
}

/// <summary>Routes as summaries show them: a space's routes with their domains, grouped by app.</summary>
internal static class RouteViews
{
    public static string Url(RouteSnapshot route, string domain) =>
        (route.Host.Length > 0 ? $"{route.Host}.{domain}" : domain) + route.Path;

    /// <summary>Every route of a space with its domain: one index read, then the routes and their (few) domains concurrently.</summary>
    public static Task<IReadOnlyList<(RouteSnapshot Route, DomainSnapshot Domain)>> OfSpaceAsync(IGrainFactory grains, Guid space) =>
        WithDomainsAsync(grains, new ListFilter { SpaceGuids = [space] });

    /// <summary>The routes mapped to an app, with their domains.</summary>
    public static Task<IReadOnlyList<(RouteSnapshot Route, DomainSnapshot Domain)>> OfAppAsync(IGrainFactory grains, Guid app) =>
        WithDomainsAsync(grains, new ListFilter { AppGuids = [app] });

    /// <summary>The routes of a space or app the caller was let see (so listed as for everyone).</summary>
    private static async Task<IReadOnlyList<(RouteSnapshot Route, DomainSnapshot Domain)>> WithDomainsAsync(IGrainFactory grains, ListFilter filter)
    {
        var routes = (await grains.Lists().RoutesAsync(ListCaller.Everything, filter, ListWindow.All)).Items;
        var domains = (await Task.WhenAll(routes.Select(r => r.DomainGuid).Distinct().Select(d => grains.GetGrain<IDomainGrain>(d).FindAsync())))
            .OfType<DomainSnapshot>().ToDictionary(d => d.Guid);
        return [.. routes.Where(r => domains.ContainsKey(r.DomainGuid)).Select(r => (r, domains[r.DomainGuid]))];
    }

    /// <summary>A route as the space and app summaries show it.</summary>
    public static JsonObject Summary(RouteSnapshot route, DomainSnapshot domain) => new()
    {
        ["guid"] = route.Guid,
        ["host"] = route.Host,
        ["port"] = route.Port,
        ["path"] = route.Path,
        ["domain"] = new JsonObject { ["guid"] = domain.Guid, ["name"] = domain.Name },
    };
}
