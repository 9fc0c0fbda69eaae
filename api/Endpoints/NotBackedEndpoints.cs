using CloudController.Api.Auth;
using CloudController.Api.Paging;
using CloudController.GrainInterfaces.Access;
using CloudController.GrainInterfaces.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CloudController.Api.Endpoints;

/// <summary>
/// Resources this server does not back yet (services, their plans, instances and bindings, security groups,
/// isolation segments), served as the real, empty lists clients read on their way (<c>cf space</c>, <c>cf push</c>,
/// <c>cf services</c>): CF's shapes, filters checked as CF checks them, and the scope's access rules.
/// </summary>
internal static class NotBackedEndpoints
{
    private const string NothingYet = "names no resource; none exist on this server yet";

    public static IEndpointRouteBuilder MapNotBacked(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v2/services", (HttpContext http) => EmptyV2(http, ["label", "active", "service_broker_guid", "unique_id"])).Unguarded(NothingYet);
        routes.MapGet("/v2/service_plans", (HttpContext http) => EmptyV2(http, ["service_guid", "service_instance_guid", "service_broker_guid", "active", "unique_id"])).Unguarded(NothingYet);
        routes.MapGet("/v2/service_instances", (HttpContext http) => EmptyV2(http, ["name", "space_guid", "organization_guid", "service_plan_guid", "service_binding_guid", "gateway_name"])).Unguarded(NothingYet);
        routes.MapGet("/v2/service_bindings", (HttpContext http) => EmptyV2(http, ["app_guid", "service_instance_guid"])).Unguarded(NothingYet);
        routes.MapGet("/v2/spaces/{guid}/service_instances", (string guid, HttpContext http, IGrainFactory grains) =>
            EmptyInSpaceAsync(guid, http, grains, ["name", "service_plan_guid", "service_binding_guid", "gateway_name"])).Guard(AccessKind.Space, AccessNeed.Read);
        routes.MapGet("/v2/spaces/{guid}/security_groups", (string guid, HttpContext http, IGrainFactory grains) =>
            EmptyInSpaceAsync(guid, http, grains, ["name"])).Guard(AccessKind.Space, AccessNeed.Read);
        routes.MapGet("/v2/spaces/{guid}/staging_security_groups", (string guid, HttpContext http, IGrainFactory grains) =>
            EmptyInSpaceAsync(guid, http, grains, ["name"])).Guard(AccessKind.Space, AccessNeed.Read);
        routes.MapGet("/v2/apps/{guid}/service_bindings", async (string guid, HttpContext http, IGrainFactory grains) =>
        {
            await grains.GetGrain<GrainInterfaces.Apps.IAppGrain>(RouteGuid.Parse(guid, CloudControllerException.AppNotFound)).GetAsync();
            return EmptyV2(http, ["service_instance_guid"]);
        }).Guard(AccessKind.App, AccessNeed.Read);
        MapEmptyV3(routes, "/v3/isolation_segments", "names", "guids", "organization_guids", "label_selector");
        MapEmptyV3(routes, "/v3/service_instances", "names", "guids", "space_guids", "organization_guids", "service_plan_guids", "service_plan_names",
            "type", "label_selector", "fields[space]", "fields[space.organization]", "fields[service_plan]", "fields[service_plan.service_offering]",
            "fields[service_plan.service_offering.service_broker]");
        MapEmptyV3(routes, "/v3/service_offerings", "names", "guids", "available", "service_broker_guids", "service_broker_names", "space_guids",
            "organization_guids", "label_selector", "fields[service_broker]");
        MapEmptyV3(routes, "/v3/service_brokers", "names", "guids", "space_guids", "label_selector");
        MapEmptyV3(routes, "/v3/service_credential_bindings", "names", "guids", "app_guids", "app_names", "service_instance_guids",
            "service_instance_names", "service_plan_guids", "service_plan_names", "service_offering_guids", "service_offering_names", "type",
            "label_selector", "include");
        MapEmptyV3(routes, "/v3/service_route_bindings", "guids", "route_guids", "service_instance_guids", "service_instance_names", "label_selector", "include");
        MapEmptyV3(routes, "/v3/security_groups", "names", "guids", "globally_enabled_running", "globally_enabled_staging", "running_space_guids", "staging_space_guids");
        MapEmptyV3(routes, "/v3/service_usage_events", "guids", "after_guid", "service_instance_types", "service_offering_guids");
        MapEmptyV3(routes, "/v3/space_quotas", "names", "guids", "organization_guids", "space_guids");
        routes.MapGet("/v3/service_plans", (HttpContext http) =>
        {
            var query = V3ListQuery.Parse(http.Request.Query, ["names", "guids", "available", "broker_catalog_ids", "service_broker_guids",
                "service_broker_names", "service_instance_guids", "service_offering_guids", "service_offering_names", "space_guids",
                "organization_guids", "label_selector", "include", "fields[service_offering.service_broker]"]);
            var page = V3Page<object>.Create(BaseUrlOf(http), http.Request.Path, query, 0, []);
            return TypedResults.Ok(query.ValuesOf("include").Contains("service_offering")
                ? page with { Included = new Dictionary<string, IReadOnlyList<object>> { ["service_offerings"] = [] } }
                : page);
        }).Unguarded(NothingYet);
        foreach (var kind in new[] { "isolation_segments", "service_instances", "service_offerings", "service_plans", "service_brokers",
            "service_credential_bindings", "service_route_bindings", "security_groups", "space_quotas" })
        {
            var title = kind switch
            {
                "isolation_segments" => "Isolation segment",
                "space_quotas" => "Space quota",
                "security_groups" => "Security group",
                _ => string.Concat(char.ToUpperInvariant(kind[0]).ToString(), kind[1..^1].Replace('_', ' ')),
            };
            routes.MapGet($"/v3/{kind}/{{guid}}", () => Task.FromException<IResult>(new CloudControllerException(CfErrorCode.ResourceNotFound, $"{title} not found")))
                .Unguarded(NothingYet);
        }

        routes.MapGet("/v3/spaces/{guid}/running_security_groups", (string guid, HttpContext http, IGrainFactory grains) =>
            EmptyV3InSpaceAsync(guid, http, grains)).Guard(AccessKind.Space, AccessNeed.Read);
        routes.MapGet("/v3/spaces/{guid}/staging_security_groups", (string guid, HttpContext http, IGrainFactory grains) =>
            EmptyV3InSpaceAsync(guid, http, grains)).Guard(AccessKind.Space, AccessNeed.Read);
        routes.MapGet("/v3/organizations/{guid}/relationships/default_isolation_segment", async (string guid, HttpContext http, IGrainFactory grains) =>
        {
            var org = await grains.GetGrain<GrainInterfaces.Organizations.IOrganizationGrain>(RouteGuid.Parse(guid, CloudControllerException.OrganizationNotFound)).GetAsync();
            return TypedResults.Ok(new SegmentRelationship(null, new Dictionary<string, Resources.Link>
            {
                ["self"] = new($"{BaseUrlOf(http)}/v3/organizations/{org.Guid}/relationships/default_isolation_segment"),
                ["related"] = new($"{BaseUrlOf(http)}/v3/isolation_segments"),
            }));
        }).Guard(AccessKind.Organization, AccessNeed.Read);
        routes.MapGet("/v3/spaces/{guid}/relationships/isolation_segment", (string guid, IGrainFactory grains) => NoSegmentAsync(guid, grains))
            .Guard(AccessKind.Space, AccessNeed.Read);
        return routes;
    }

    /// <summary>An empty v3 list at <paramref name="path"/>: its filters checked, nothing in it.</summary>
    private static void MapEmptyV3(IEndpointRouteBuilder routes, string path, params string[] filters) =>
        routes.MapGet(path, (HttpContext http) =>
            TypedResults.Ok(V3Page<object>.Create(BaseUrlOf(http), http.Request.Path, V3ListQuery.Parse(http.Request.Query, filters), 0, [])))
            .Unguarded(NothingYet);

    private static async Task<Ok<V3Page<object>>> EmptyV3InSpaceAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        await Space(grains, guid).GetAsync();
        return TypedResults.Ok(V3Page<object>.Create(BaseUrlOf(http), http.Request.Path, V3ListQuery.Parse(http.Request.Query, []), 0, []));
    }

    private static string BaseUrlOf(HttpContext http) => http.RequestServices.GetRequiredService<Hosting.BaseUrl>().Of(http);

    /// <summary>An empty v2 page after the query is checked (bad paging or an unknown <c>q</c> key is 400 BadQueryParameter).</summary>
    private static Ok<V2Page<object>> EmptyV2(HttpContext http, string[] filters) =>
        TypedResults.Ok(V2Page<object>.Create(http.Request.Path, V2ListQuery.Parse(http.Request.Query, filters, []), 0, []));

    private static async Task<Ok<V2Page<object>>> EmptyInSpaceAsync(string guid, HttpContext http, IGrainFactory grains, string[] filters)
    {
        await Space(grains, guid).GetAsync();
        return EmptyV2(http, filters);
    }

    private static GrainInterfaces.Spaces.ISpaceGrain Space(IGrainFactory grains, string guid) =>
        grains.GetGrain<GrainInterfaces.Spaces.ISpaceGrain>(RouteGuid.Parse(guid, CloudControllerException.SpaceNotFound));

    /// <summary><c>{"data": null}</c>: no space is assigned an isolation segment here.</summary>
    private static async Task<Ok<SegmentRelationship>> NoSegmentAsync(string guid, IGrainFactory grains)
    {
        var space = await Space(grains, guid).GetAsync();
        return TypedResults.Ok(new SegmentRelationship(null, new Dictionary<string, Resources.Link>
        {
            ["self"] = new($"/v3/spaces/{space.Guid}/relationships/isolation_segment"),
            ["related"] = new("/v3/isolation_segments"),
        }));
    }
}

internal sealed record SegmentRelationship(object? Data, IReadOnlyDictionary<string, Resources.Link> Links);
