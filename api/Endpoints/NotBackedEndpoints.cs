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
        routes.MapGet("/v3/isolation_segments", (HttpContext http) =>
        {
            var query = V3ListQuery.Parse(http.Request.Query, ["names", "guids", "organization_guids"]);
            return TypedResults.Ok(V3Page<object>.Create("", http.Request.Path, query, 0, []));
        }).Unguarded(NothingYet);
        routes.MapGet("/v3/spaces/{guid}/relationships/isolation_segment", (string guid, IGrainFactory grains) => NoSegmentAsync(guid, grains))
            .Guard(AccessKind.Space, AccessNeed.Read);
        return routes;
    }

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
        }));
    }
}

internal sealed record SegmentRelationship(object? Data, IReadOnlyDictionary<string, Resources.Link> Links);
