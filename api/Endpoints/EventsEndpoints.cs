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
        routes.MapGet("/v3/audit_events", ListV3Async).Unguarded("lists the events of the caller's spaces and organizations only");
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

    /// <summary>
    /// <c>GET /v3/audit_events</c>: filters <c>types</c>, <c>target_guids</c>, <c>space_guids</c>, <c>organization_guids</c>,
    /// <c>created_ats</c> (equal to one of them) and <c>created_ats[lt|lte|gt|gte]</c>; ordered by <c>created_at</c>
    /// (<c>-created_at</c>: newest first). Visibility as v2's: the caller's spaces and organizations.
    /// </summary>
    private static async Task<IResult> ListV3Async(HttpContext http, IGrainFactory grains, Hosting.BaseUrl baseUrl)
    {
        var query = V3ListQuery.Parse(http.Request.Query,
            ["types", "target_guids", "space_guids", "organization_guids", "created_ats", "created_ats[lt]", "created_ats[lte]", "created_ats[gt]", "created_ats[gte]"]);
        if (query.Window.Order == GrainInterfaces.Lists.ListOrder.Name)
        {
            throw CloudControllerException.BadQuery("Order by can only be: 'created_at', 'updated_at'");
        }

        var bounds = ImmutableArray.CreateBuilder<TimestampBound>();
        foreach (var (key, op) in new[] { ("created_ats[lt]", "<"), ("created_ats[lte]", "<="), ("created_ats[gt]", ">"), ("created_ats[gte]", ">=") })
        {
            if (query.ValuesOf(key) is { IsEmpty: false } values)
            {
                bounds.Add(new TimestampBound(op, Timestamp(values[0])));
            }
        }

        if (query.ValuesOf("created_ats") is { IsEmpty: false } exact)
        {
            if (exact.Length > 1)
            {
                throw CloudControllerException.BadQuery("The query parameter is invalid: created_ats may name one time (or use [lt], [gt], ...)");
            }

            bounds.Add(new TimestampBound(":", Timestamp(exact[0])));
        }

        var visible = await http.VisibleAsync();
        var page = await grains.GetGrain<IAuditGrain>(0).QueryAsync(new EventQuery(
            query.ValuesOf("target_guids"), query.GuidsOf("space_guids"), query.GuidsOf("organization_guids"), query.ValuesOf("types"),
            bounds.ToImmutable(), visible is null ? null : new EventVisibility([.. visible.Spaces.Keys], [.. visible.Organizations]),
            query.Window.Descending, query.Page, query.PerPage));
        var url = baseUrl.Of(http);
        return TypedResults.Json(V3Page<JsonObject>.Create(url, http.Request.Path, query, page.TotalResults, [.. page.Events.Select(e => V3Event(e, url))]),
            CfJson.Options);
    }

    private static JsonObject V3Event(AuditEvent e, string url)
    {
        var at = e.Timestamp.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        return new JsonObject
        {
            ["guid"] = e.Guid,
            ["created_at"] = at,
            ["updated_at"] = at,
            ["type"] = e.Type,
            ["actor"] = new JsonObject { ["guid"] = e.Actor, ["type"] = e.ActorType, ["name"] = e.ActorName },
            ["target"] = new JsonObject { ["guid"] = e.Actee, ["type"] = e.ActeeType, ["name"] = e.ActeeName },
            ["data"] = JsonNode.Parse(e.MetadataJson) ?? new JsonObject(),
            ["space"] = e.SpaceGuid is { } space ? new JsonObject { ["guid"] = space } : null,
            ["organization"] = e.OrganizationGuid is { } org ? new JsonObject { ["guid"] = org } : null,
            ["links"] = new JsonObject { ["self"] = new JsonObject { ["href"] = $"{url}/v3/audit_events/{e.Guid}" } },
        };
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
