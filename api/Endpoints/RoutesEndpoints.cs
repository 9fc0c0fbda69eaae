using System.Collections.Immutable;
using System.Text.Json.Nodes;
using CloudController.Api.Auth;
using CloudController.Api.Json;
using CloudController.Api.Paging;
using CloudController.Api.Resources;
using CloudController.GrainInterfaces.Access;
using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Domains;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Indexes;
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
        var visible = await http.VisibleAsync();
        var spaces = query.GuidsOf("space_guid");
        var orgs = query.GuidsOf("organization_guid");
        var domains = query.GuidsOf("domain_guid");
        ImmutableArray<Guid>? visibleSpaces = visible is null ? null : [.. visible.Spaces.Keys];

        ImmutableArray<string> indexes;
        if (!spaces.IsDefaultOrEmpty)
        {
            indexes = [.. spaces.Where(s => visibleSpaces is null || visibleSpaces.Value.Contains(s)).Select(IndexKeys.RoutesInSpace)];
        }
        else if (!domains.IsDefaultOrEmpty)
        {
            indexes = [.. domains.Select(IndexKeys.RoutesOfDomain)];
        }
        else if (!orgs.IsDefaultOrEmpty)
        {
            var inOrgs = await Lists.Of(grains).EntriesAsync([.. orgs.Select(IndexKeys.SpacesInOrganization)], IndexQuery.All(1, int.MaxValue));
            indexes = [.. inOrgs.Entries.Select(e => e.Guid).Where(s => visibleSpaces is null || visibleSpaces.Value.Contains(s)).Select(IndexKeys.RoutesInSpace)];
        }
        else
        {
            var all = visibleSpaces ?? [.. (await Lists.Of(grains).EntriesAsync(Lists.Catalog(IndexKeys.Spaces, []), IndexQuery.All(1, int.MaxValue))).Entries.Select(e => e.Guid)];
            indexes = [.. all.Select(IndexKeys.RoutesInSpace)];
        }

        var tagGroups = ImmutableArray.CreateBuilder<ImmutableArray<string>>();
        AddGroup(tagGroups, "host", query.ValuesOf("host").Select(h => h.ToLowerInvariant()));
        AddGroup(tagGroups, "path", query.ValuesOf("path"));
        AddGroup(tagGroups, "domain", domains.Select(IndexKeys.Scope));
        AddGroup(tagGroups, "space", spaces.Select(IndexKeys.Scope));
        if (visibleSpaces is { } mine)
        {
            AddGroup(tagGroups, "space", mine.Select(IndexKeys.Scope), always: true);
        }

        if (query.ValuesOf("port") is { IsEmpty: false } ports && ports.Any(p => p is not ("" or "0")))
        {
            return TypedResults.Json(V2Page<object>.Create(http.Request.Path, query, 0, []), CfJson.Options);
        }

        var indexQuery = new IndexQuery([], [], tagGroups.ToImmutable(), IndexOrder.Id, query.Descending, query.Page, query.PerPage);
        return await PageAsync(http, grains, query, indexes, indexQuery);
    }

    private static async Task<IResult> RoutesOfSpaceAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var space = await grains.GetGrain<ISpaceGrain>(RouteGuid.Parse(guid, CloudControllerException.SpaceNotFound)).GetAsync();
        var query = V2ListQuery.Parse(http.Request.Query, ["host", "domain_guid", "path"], []);
        var tagGroups = ImmutableArray.CreateBuilder<ImmutableArray<string>>();
        AddGroup(tagGroups, "host", query.ValuesOf("host").Select(h => h.ToLowerInvariant()));
        AddGroup(tagGroups, "path", query.ValuesOf("path"));
        AddGroup(tagGroups, "domain", query.GuidsOf("domain_guid").Select(IndexKeys.Scope));
        var indexQuery = new IndexQuery([], [], tagGroups.ToImmutable(), IndexOrder.Id, query.Descending, query.Page, query.PerPage);
        return await PageAsync(http, grains, query, [IndexKeys.RoutesInSpace(space.Guid)], indexQuery);
    }

    private static async Task<IResult> RoutesOfAppAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var app = http.JudgedApp(RouteGuid.Parse(guid, CloudControllerException.AppNotFound))
            ?? await App(grains, guid).GetAsync();
        var query = V2ListQuery.Parse(http.Request.Query, ["host", "domain_guid", "path"], []);
        var indexQuery = new IndexQuery([], [], [], IndexOrder.Id, query.Descending, query.Page, query.PerPage);
        return await PageAsync(http, grains, query, [IndexKeys.RoutesOfApp(app.Guid)], indexQuery);
    }

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
        var taken = await grains.GetGrain<IResourceIndexGrain>(IndexKeys.RoutesOfDomain(domain))
            .QueryAsync(new IndexQuery([IndexKeys.RouteAddress(host.ToLowerInvariant(), path)], [], [], IndexOrder.Id, false, 1, 1));
        return taken.TotalResults > 0
            ? TypedResults.NoContent()
            : throw new CloudControllerException(CfErrorCode.NotFound, "Unknown request");
    }

    private static async Task<IResult> PageAsync(HttpContext http, IGrainFactory grains, V2ListQuery query, ImmutableArray<string> indexes, IndexQuery indexQuery)
    {
        var (total, routes) = await IndexedList.LoadAsync(grains, indexes, indexQuery, g => grains.GetGrain<IRouteGrain>(g).FindAsync());
        var rendered = await Task.WhenAll(routes.Select(r => RenderAsync(grains, r, http)));
        return TypedResults.Json(V2Page<RouteEntity>.Create(http.Request.Path, query, total, rendered), CfJson.Options);
    }

    /// <summary>The route's resource; with <c>inline-relations-depth</c> of 1 or more, its domain, space and apps inlined.</summary>
    private static async Task<V2Resource<RouteEntity>> RenderAsync(IGrainFactory grains, RouteSnapshot route, HttpContext http)
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
        var visible = await http.VisibleAsync();
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

    private static void AddGroup(ImmutableArray<ImmutableArray<string>>.Builder groups, string kind, IEnumerable<string> values, bool always = false)
    {
        var tags = values.Select(v => IndexEntry.Tag(kind, v)).ToImmutableArray();
        if (!tags.IsEmpty || always)
        {
            groups.Add(tags.IsEmpty ? [IndexEntry.Tag(kind, "\0")] : tags);
        }
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
        WithDomainsAsync(grains, IndexKeys.RoutesInSpace(space));

    /// <summary>The routes mapped to an app, with their domains.</summary>
    public static Task<IReadOnlyList<(RouteSnapshot Route, DomainSnapshot Domain)>> OfAppAsync(IGrainFactory grains, Guid app) =>
        WithDomainsAsync(grains, IndexKeys.RoutesOfApp(app));

    private static async Task<IReadOnlyList<(RouteSnapshot Route, DomainSnapshot Domain)>> WithDomainsAsync(IGrainFactory grains, string index)
    {
        var (_, routes) = await IndexedList.LoadAsync(grains, [index], IndexQuery.All(1, int.MaxValue),
            g => grains.GetGrain<IRouteGrain>(g).FindAsync());
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
