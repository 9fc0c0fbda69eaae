using CloudController.GrainInterfaces.Spaces;

namespace CloudController.Api.Resources;

/// <summary>The v2 space entity (fields in CF's order).</summary>
internal sealed record SpaceEntity(
    string Name,
    Guid OrganizationGuid,
    Guid? SpaceQuotaDefinitionGuid,
    bool AllowSsh,
    string OrganizationUrl,
    string DevelopersUrl,
    string ManagersUrl,
    string AuditorsUrl,
    string AppsUrl,
    string RoutesUrl,
    string DomainsUrl,
    string ServiceInstancesUrl,
    string AppEventsUrl,
    string EventsUrl,
    string SecurityGroupsUrl)
{
    public static V2Resource<SpaceEntity> Resource(SpaceSnapshot s)
    {
        var self = $"/v2/spaces/{s.Guid}";
        return V2Resource.Of("spaces", s.Guid, s.CreatedAt, s.UpdatedAt, new SpaceEntity(
            s.Name, s.OrganizationGuid, s.SpaceQuotaDefinitionGuid, s.AllowSsh,
            $"/v2/organizations/{s.OrganizationGuid}",
            $"{self}/developers", $"{self}/managers", $"{self}/auditors", $"{self}/apps", $"{self}/routes",
            $"{self}/domains", $"{self}/service_instances", $"{self}/app_events", $"{self}/events", $"{self}/security_groups"));
    }
}

/// <summary>The v3 space.</summary>
internal sealed record V3Space(
    Guid Guid,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string Name,
    IReadOnlyDictionary<string, ToOne> Relationships,
    V3Metadata Metadata,
    IReadOnlyDictionary<string, Link> Links)
{
    public static V3Space From(SpaceSnapshot s, string baseUrl) => new(
        s.Guid, s.CreatedAt, s.UpdatedAt ?? s.CreatedAt, s.Name,
        new Dictionary<string, ToOne>
        {
            ["organization"] = new(new GuidRef(s.OrganizationGuid)),
            // No space quotas exist here (v2's space_quota_definition_guid is kept, but names none v3 could show).
            ["quota"] = new(null),
        },
        V3Metadata.From(s.Metadata),
        new Dictionary<string, Link>
        {
            ["self"] = new($"{baseUrl}/v3/spaces/{s.Guid}"),
            ["organization"] = new($"{baseUrl}/v3/organizations/{s.OrganizationGuid}"),
            ["features"] = new($"{baseUrl}/v3/spaces/{s.Guid}/features"),
            ["apply_manifest"] = new($"{baseUrl}/v3/spaces/{s.Guid}/actions/apply_manifest", "POST"),
        });
}
