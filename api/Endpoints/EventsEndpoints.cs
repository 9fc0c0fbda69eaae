using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using CloudController.Api.Auth;
using CloudController.Api.Json;
using CloudController.Api.Paging;
using CloudController.Api.Resources;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Events;

namespace CloudController.Api.Endpoints;

/// <summary>
/// <c>GET /v2/events</c>: the audit trail, filtered by <c>actee</c>, <c>type</c>, <c>space_guid</c>,
/// <c>organization_guid</c> and <c>timestamp</c> (with <c>&lt; &gt; &lt;= &gt;=</c>), oldest first unless
/// <c>order-direction=desc</c>. A caller sees the events of the spaces and organizations it sees.
/// </summary>
internal static class EventsEndpoints
{
    private static readonly string[] Filters = ["actee", "type", "space_guid", "organization_guid", "timestamp"];

    public static IEndpointRouteBuilder MapEvents(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v2/events", ListAsync).Unguarded("lists the events of the caller's spaces and organizations only");
        return routes;
    }

    private static async Task<IResult> ListAsync(HttpContext http, IGrainFactory grains)
    {
        var query = V2ListQuery.Parse(http.Request.Query, Filters, ["timestamp"], comparableKeys: ["timestamp"]);
        var bounds = query.Filters.Where(f => f.Key == "timestamp")
            .Select(f => new TimestampBound(f.Operator, Timestamp(f.Values[0])))
            .ToImmutableArray();
        var visible = await http.VisibleAsync();
        var visibility = visible is null
            ? null
            : new EventVisibility([.. visible.Spaces.Keys], [.. visible.Organizations]);
        var page = await grains.GetGrain<IAuditGrain>(0).QueryAsync(new EventQuery(
            query.ValuesOf("actee"), query.GuidsOf("space_guid"), query.GuidsOf("organization_guid"), query.ValuesOf("type"),
            bounds, visibility, query.Descending, query.Page, query.PerPage));
        return TypedResults.Json(V2Page<EventEntity>.Create(http.Request.Path, query, page.TotalResults, [.. page.Events.Select(EventEntity.Resource)]),
            CfJson.Options);
    }

    private static DateTimeOffset Timestamp(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t
            : throw CloudControllerException.BadQuery($"timestamp must be an ISO 8601 time: {text}");
}

/// <summary>The v2 event entity.</summary>
internal sealed record EventEntity(
    string Type,
    string Actor,
    string ActorType,
    string ActorName,
    string ActorUsername,
    string Actee,
    string ActeeType,
    string ActeeName,
    DateTimeOffset Timestamp,
    JsonNode Metadata,
    Guid? SpaceGuid,
    Guid? OrganizationGuid)
{
    public static V2Resource<EventEntity> Resource(AuditEvent e) =>
        V2Resource.Of("events", e.Guid, e.Timestamp, null, new EventEntity(
            e.Type, e.Actor, e.ActorType, e.ActorName, e.ActorName, e.Actee, e.ActeeType, e.ActeeName, e.Timestamp,
            JsonNode.Parse(e.MetadataJson) ?? new JsonObject(), e.SpaceGuid, e.OrganizationGuid));
}
