using CloudController.Api.Json;
using System.Text.Json.Nodes;
using CloudController.Api.Auth;
using CloudController.Api.Paging;
using CloudController.Api.Resources;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Events;

namespace CloudController.Api.Endpoints;

/// <summary>
/// <c>/v2/app_usage_events</c> and <c>/v3/app_usage_events</c>: STARTED, STOPPED and BUILDPACK_SET events of every app,
/// oldest first, for platform-wide readers (billing). <c>after_guid</c> starts after a known event; pages are always
/// the first page after it, as CC pages them. Admins may purge them all and reseed one STARTED event per started app.
/// </summary>
internal static class UsageEventsEndpoints
{
    private static readonly string[] V2Filters = [];
    private static readonly string[] V3Filters = ["after_guid", "guids"];

    public static IEndpointRouteBuilder MapUsageEvents(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v2/app_usage_events", ListV2Async).RequireCf(CfAccess.PlatformRead).Unguarded("platform-wide readers only");
        routes.MapGet("/v3/app_usage_events", ListV3Async).RequireCf(CfAccess.PlatformRead).Unguarded("platform-wide readers only");
        routes.MapGet("/v2/app_usage_events/{guid}", GetV2Async).RequireCf(CfAccess.PlatformRead).Unguarded("platform-wide readers only");
        routes.MapGet("/v3/app_usage_events/{guid}", GetV3Async).RequireCf(CfAccess.PlatformRead).Unguarded("platform-wide readers only");
        routes.MapPost("/v2/app_usage_events/destructively_purge_all_and_reseed_started_apps", PurgeV2Async).RequireCf(CfAccess.Admin).Unguarded("admins only");
        routes.MapPost("/v3/app_usage_events/actions/destructively_purge_all_and_reseed", PurgeV3Async).RequireCf(CfAccess.Admin).Unguarded("admins only");
        return routes;
    }

    private static async Task<IResult> ListV2Async(HttpContext http, IGrainFactory grains)
    {
        var query = V2ListQuery.Parse(http.Request.Query, V2Filters, []);
        var page = await grains.GetGrain<IAuditGrain>(0).UsageAsync(After(http), query.PerPage);
        var resources = page.Events.Select(e => V2Resource.Of("app_usage_events", e.Guid, e.Timestamp, null, V2Entity(e))).ToList();
        return TypedResults.Ok(V2Page<JsonObject>.Create(http.Request.Path, query, page.TotalResults, resources));
    }

    private static async Task<IResult> ListV3Async(HttpContext http, IGrainFactory grains, Hosting.BaseUrl baseUrl)
    {
        var query = V3ListQuery.Parse(http.Request.Query, V3Filters);
        var page = await grains.GetGrain<IAuditGrain>(0).UsageAsync(After(http), query.PerPage);
        return TypedResults.Ok(V3Page<JsonObject>.Create(baseUrl.Of(http), http.Request.Path, query, page.TotalResults, [.. page.Events.Select(V3Resource)]));
    }

    private static async Task<IResult> GetV2Async(string guid, IGrainFactory grains)
    {
        var e = await FindAsync(guid, grains);
        return TypedResults.Ok(V2Resource.Of("app_usage_events", e.Guid, e.Timestamp, null, V2Entity(e)));
    }

    private static async Task<IResult> GetV3Async(string guid, IGrainFactory grains) => TypedResults.Ok(V3Resource(await FindAsync(guid, grains)));

    private static async Task<AuditEvent> FindAsync(string guid, IGrainFactory grains) =>
        (Guid.TryParse(guid, out var parsed) ? await grains.GetGrain<IAuditGrain>(0).UsageEventAsync(parsed) : null)
            ?? throw new CloudControllerException(CfErrorCode.ResourceNotFound, "App usage event not found");

    /// <summary>Every usage event is deleted and each started app gets a STARTED event (billing starts over from what runs now).</summary>
    private static async Task<IResult> PurgeV2Async(IGrainFactory grains)
    {
        await grains.GetGrain<IAuditGrain>(0).PurgeAndReseedUsageAsync();
        return TypedResults.NoContent();
    }

    private static async Task<IResult> PurgeV3Async(IGrainFactory grains)
    {
        await grains.GetGrain<IAuditGrain>(0).PurgeAndReseedUsageAsync();
        return TypedResults.Ok(new JsonObject());
    }

    private static Guid? After(HttpContext http) =>
        http.Request.Query["after_guid"].FirstOrDefault() is not { Length: > 0 } after ? null
            : Guid.TryParse(after, out var guid) ? guid
            : throw new CloudControllerException(CfErrorCode.BadQueryParameter, "The query parameter is invalid: after_guid must be a guid");

    private static JsonObject Metadata(AuditEvent e) => JsonNode.Parse(e.MetadataJson) as JsonObject ?? [];

    private static JsonObject V2Entity(AuditEvent e)
    {
        var m = Metadata(e);
        return new JsonObject
        {
            ["state"] = m["state"]?.DeepClone(),
            ["previous_state"] = m["previous_state"]?.DeepClone(),
            ["instance_count"] = m["instance_count"]?.DeepClone(),
            ["previous_instance_count"] = m["previous_instance_count"]?.DeepClone(),
            ["memory_in_mb_per_instance"] = m["memory_in_mb_per_instance"]?.DeepClone(),
            ["previous_memory_in_mb_per_instance"] = m["previous_memory_in_mb_per_instance"]?.DeepClone(),
            ["app_guid"] = e.Actee,
            ["app_name"] = e.ActeeName,
            ["space_guid"] = e.SpaceGuid?.ToString("D"),
            ["org_guid"] = e.OrganizationGuid?.ToString("D"),
            ["buildpack_guid"] = null,
            ["buildpack_name"] = m["buildpack_name"]?.DeepClone(),
            ["package_state"] = m["package_state"]?.DeepClone(),
            ["previous_package_state"] = m["previous_package_state"]?.DeepClone(),
            ["parent_app_guid"] = e.Actee,
            ["parent_app_name"] = e.ActeeName,
            ["process_type"] = m["process_type"]?.DeepClone(),
            ["task_guid"] = null,
            ["task_name"] = null,
        };
    }

    private static JsonObject V3Resource(AuditEvent e)
    {
        var m = Metadata(e);
        var at = CfTimestampConverter.ToCf(e.Timestamp);
        return new JsonObject
        {
            ["guid"] = e.Guid.ToString("D"),
            ["created_at"] = at,
            ["updated_at"] = at,
            ["state"] = new JsonObject { ["current"] = m["state"]?.DeepClone(), ["previous"] = m["previous_state"]?.DeepClone() },
            ["app"] = new JsonObject { ["guid"] = e.Actee, ["name"] = e.ActeeName },
            ["process"] = new JsonObject { ["guid"] = m["process_guid"]?.DeepClone(), ["type"] = m["process_type"]?.DeepClone() },
            ["space"] = new JsonObject { ["guid"] = e.SpaceGuid?.ToString("D"), ["name"] = null },
            ["organization"] = new JsonObject { ["guid"] = e.OrganizationGuid?.ToString("D") },
            ["buildpack"] = new JsonObject { ["guid"] = null, ["name"] = m["buildpack_name"]?.DeepClone() },
            ["task"] = new JsonObject { ["guid"] = null, ["name"] = null },
            ["memory_in_mb_per_instance"] = new JsonObject { ["current"] = m["memory_in_mb_per_instance"]?.DeepClone(), ["previous"] = m["previous_memory_in_mb_per_instance"]?.DeepClone() },
            ["instance_count"] = new JsonObject { ["current"] = m["instance_count"]?.DeepClone(), ["previous"] = m["previous_instance_count"]?.DeepClone() },
        };
    }
}
