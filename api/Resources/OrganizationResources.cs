using CloudController.GrainInterfaces.Organizations;

namespace CloudController.Api.Resources;

/// <summary>The v2 organization entity (fields in CF's order).</summary>
internal sealed record OrganizationEntity(
    string Name,
    bool BillingEnabled,
    Guid QuotaDefinitionGuid,
    string Status,
    string QuotaDefinitionUrl,
    string SpacesUrl,
    string DomainsUrl,
    string PrivateDomainsUrl,
    string UsersUrl,
    string ManagersUrl,
    string BillingManagersUrl,
    string AuditorsUrl,
    string AppEventsUrl,
    string SpaceQuotaDefinitionsUrl)
{
    public static V2Resource<OrganizationEntity> Resource(OrganizationSnapshot o)
    {
        var self = $"/v2/organizations/{o.Guid}";
        return V2Resource.Of("organizations", o.Guid, o.CreatedAt, o.UpdatedAt, new OrganizationEntity(
            o.Name, o.BillingEnabled, o.QuotaDefinitionGuid, o.Status,
            $"/v2/quota_definitions/{o.QuotaDefinitionGuid}",
            $"{self}/spaces", $"{self}/domains", $"{self}/private_domains", $"{self}/users", $"{self}/managers",
            $"{self}/billing_managers", $"{self}/auditors", $"{self}/app_events", $"{self}/space_quota_definitions"));
    }
}

/// <summary>The v3 organization.</summary>
internal sealed record V3Organization(
    Guid Guid,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string Name,
    bool Suspended,
    IReadOnlyDictionary<string, ToOne> Relationships,
    V3Metadata Metadata,
    IReadOnlyDictionary<string, Link> Links)
{
    public static V3Organization From(OrganizationSnapshot o, string baseUrl) => new(
        o.Guid, o.CreatedAt, o.UpdatedAt ?? o.CreatedAt, o.Name, o.Status == "suspended",
        new Dictionary<string, ToOne> { ["quota"] = new(new GuidRef(o.QuotaDefinitionGuid)) },
        V3Metadata.From(o.Metadata),
        new Dictionary<string, Link>
        {
            ["self"] = new($"{baseUrl}/v3/organizations/{o.Guid}"),
            ["domains"] = new($"{baseUrl}/v3/organizations/{o.Guid}/domains"),
            ["default_domain"] = new($"{baseUrl}/v3/organizations/{o.Guid}/domains/default"),
            ["quota"] = new($"{baseUrl}/v3/organization_quotas/{o.QuotaDefinitionGuid}"),
        });
}
