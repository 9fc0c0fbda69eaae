using System.Text.Json.Serialization;
using CloudController.GrainInterfaces.Domains;
using CloudController.GrainInterfaces.Quotas;
using CloudController.GrainInterfaces.Routes;

namespace CloudController.Api.Resources;

/// <summary>The v2 shared domain entity.</summary>
internal sealed record SharedDomainEntity(string Name, bool Internal, Guid? RouterGroupGuid, string? RouterGroupType)
{
    public static V2Resource<SharedDomainEntity> Resource(DomainSnapshot d) =>
        V2Resource.Of("shared_domains", d.Guid, d.CreatedAt, null, new SharedDomainEntity(d.Name, d.Internal, null, d.RouterGroupType));
}

/// <summary>The v2 private domain entity.</summary>
internal sealed record PrivateDomainEntity(string Name, Guid OwningOrganizationGuid, string OwningOrganizationUrl, string SharedOrganizationsUrl)
{
    public static V2Resource<PrivateDomainEntity> Resource(DomainSnapshot d) =>
        V2Resource.Of("private_domains", d.Guid, d.CreatedAt, null, new PrivateDomainEntity(d.Name, d.OwningOrganizationGuid!.Value,
            $"/v2/organizations/{d.OwningOrganizationGuid}", $"/v2/private_domains/{d.Guid}/shared_organizations"));
}

/// <summary>The legacy v2 domain entity (<c>/v2/organizations/:guid/domains</c>): shared and private domains in one shape.</summary>
internal sealed record DomainEntity(string Name, Guid? OwningOrganizationGuid, bool Wildcard, bool Internal, string? RouterGroupType)
{
    public static V2Resource<DomainEntity> Resource(DomainSnapshot d) =>
        V2Resource.Of("domains", d.Guid, d.CreatedAt, null, new DomainEntity(d.Name, d.OwningOrganizationGuid, true, d.Internal, d.RouterGroupType));

    /// <summary>A domain as a route inlines it: under its own kind's URL.</summary>
    public static object Inline(DomainSnapshot d) => d.Shared ? SharedDomainEntity.Resource(d) : PrivateDomainEntity.Resource(d);
}

/// <summary>
/// The v2 route entity. <c>domain</c>, <c>space</c> and <c>apps</c> are the relations inlined with
/// <c>inline-relations-depth=1</c> (what the legacy route commands read), left out otherwise.
/// </summary>
internal sealed record RouteEntity(
    string Host,
    string Path,
    Guid DomainGuid,
    Guid SpaceGuid,
    Guid? ServiceInstanceGuid,
    int? Port,
    string DomainUrl,
    string SpaceUrl,
    string AppsUrl,
    string RouteMappingsUrl)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public object? Domain { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public object? Space { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<object>? Apps { get; init; }

    public static V2Resource<RouteEntity> Resource(RouteSnapshot r)
    {
        var self = $"/v2/routes/{r.Guid}";
        return V2Resource.Of("routes", r.Guid, r.CreatedAt, r.UpdatedAt, new RouteEntity(
            r.Host, r.Path, r.DomainGuid, r.SpaceGuid, null, r.Port,
            $"/v2/shared_domains/{r.DomainGuid}", $"/v2/spaces/{r.SpaceGuid}", $"{self}/apps", $"{self}/route_mappings"));
    }
}

/// <summary>The v2 quota definition entity.</summary>
internal sealed record QuotaDefinitionEntity(
    string Name,
    bool NonBasicServicesAllowed,
    int TotalServices,
    int TotalRoutes,
    int TotalPrivateDomains,
    long MemoryLimit,
    bool TrialDbAllowed,
    long InstanceMemoryLimit,
    int AppInstanceLimit,
    int AppTaskLimit,
    int TotalServiceKeys,
    int TotalReservedRoutePorts)
{
    public static V2Resource<QuotaDefinitionEntity> Resource(QuotaSnapshot q)
    {
        var l = q.Limits;
        return V2Resource.Of("quota_definitions", q.Guid, q.CreatedAt, q.UpdatedAt, new QuotaDefinitionEntity(
            l.Name, l.NonBasicServicesAllowed, l.TotalServices, l.TotalRoutes, l.TotalPrivateDomains, l.MemoryLimit, false,
            l.InstanceMemoryLimit, l.AppInstanceLimit, l.AppTaskLimit, l.TotalServiceKeys, l.TotalReservedRoutePorts));
    }
}
