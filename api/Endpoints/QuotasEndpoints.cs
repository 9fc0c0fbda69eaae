using CloudController.Api.Auth;
using CloudController.Api.Json;
using CloudController.Api.Paging;
using CloudController.Api.Platform;
using CloudController.Api.Resources;
using CloudController.GrainInterfaces.Lists;
using CloudController.GrainInterfaces.Access;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Quotas;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CloudController.Api.Endpoints;

/// <summary>
/// v2 organization quota definitions: every user reads them (<c>cf org</c> shows its org's), admins write them. The
/// configured <c>default</c> quota is seeded and given to new organizations. Space quotas are not backed: their lists
/// are empty.
/// </summary>
internal static class QuotasEndpoints
{
    private static readonly string[] Filters = ["name"];
    private static readonly string[] Orders = ["name"];

    public static IEndpointRouteBuilder MapQuotas(this IEndpointRouteBuilder routes)
    {
        var quotas = routes.MapGroup("/v2/quota_definitions");
        quotas.MapGet("/", ListAsync).Unguarded("quota definitions are visible to every user");
        quotas.MapGet("/{guid}", GetAsync).Unguarded("quota definitions are visible to every user");
        quotas.MapPost("/", CreateAsync).RequireCf(CfAccess.Admin).Unguarded("admins only");
        quotas.MapPut("/{guid}", UpdateAsync).RequireCf(CfAccess.Admin).Unguarded("admins only");
        quotas.MapDelete("/{guid}", DeleteAsync).RequireCf(CfAccess.Admin).Unguarded("admins only");

        routes.MapGet("/v2/space_quota_definitions", EmptySpaceQuotas).Unguarded("no space quotas exist here");
        routes.MapGet("/v2/organizations/{guid}/space_quota_definitions", EmptySpaceQuotas).Guard(AccessKind.Organization, AccessNeed.Read);
        routes.MapGet("/v2/space_quota_definitions/{guid}", NoSpaceQuota).Unguarded("no space quotas exist here");
        return routes;
    }

    private static async Task<Ok<V2Page<QuotaDefinitionEntity>>> ListAsync(HttpContext http, IGrainFactory grains, PlatformSeed seed)
    {
        await seed.EnsureAsync();
        var query = V2ListQuery.Parse(http.Request.Query, Filters, Orders);
        var page = await grains.Lists().QuotasAsync(new ListFilter { Names = query.ValuesOf("name") }, query.Window);
        return TypedResults.Ok(V2Page<QuotaDefinitionEntity>.Create(http.Request.Path, query, page.TotalResults, [.. page.Items.Select(QuotaDefinitionEntity.Resource)]));
    }

    private static async Task<Ok<V2Resource<QuotaDefinitionEntity>>> GetAsync(string guid, IGrainFactory grains, PlatformSeed seed)
    {
        await seed.EnsureAsync();
        return TypedResults.Ok(QuotaDefinitionEntity.Resource(await Grain(grains, guid).GetAsync()));
    }

    private static async Task<IResult> CreateAsync(HttpContext http, IGrainFactory grains)
    {
        var body = await RequestBody.ReadAsync<QuotaRequest>(http.Request, JsonFieldErrors.V2);
        body.RequireCreateFields(JsonFieldErrors.V2);
        var quota = await grains.GetGrain<IQuotaDefinitionGrain>(Guid.NewGuid()).CreateAsync(body.ToLimits());
        var resource = QuotaDefinitionEntity.Resource(quota);
        return TypedResults.Created(resource.Metadata.Url, resource);
    }

    private static async Task<IResult> UpdateAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var body = await RequestBody.ReadAsync<QuotaRequest>(http.Request, JsonFieldErrors.V2, emptyIsObject: true);
        var quota = await Grain(grains, guid).UpdateAsync(body.ToChanges());
        return TypedResults.Json(QuotaDefinitionEntity.Resource(quota), CfJson.Options, statusCode: 201);
    }

    private static async Task<IResult> DeleteAsync(string guid, HttpContext http, IGrainFactory grains, PlatformCatalog platform)
    {
        var grain = Grain(grains, guid);
        if (grain.GetPrimaryKey() == platform.DefaultQuotaDefinitionGuid)
        {
            throw new CloudControllerException(CfErrorCode.QuotaDefinitionInvalid,
                "Quota Definition is invalid: the default quota definition is given to new organizations and cannot be deleted");
        }

        await grain.DeleteAsync();
        return AsyncDeletion.Answer(http);
    }

    private static Ok<V2Page<QuotaDefinitionEntity>> EmptySpaceQuotas(HttpContext http)
    {
        var query = V2ListQuery.Parse(http.Request.Query, Filters, Orders);
        return TypedResults.Ok(V2Page<QuotaDefinitionEntity>.Create(http.Request.Path, query, 0, []));
    }

    private static IResult NoSpaceQuota(string guid) =>
        throw new CloudControllerException(CfErrorCode.QuotaDefinitionNotFound, $"Space Quota Definition could not be found: {guid}");

    private static IQuotaDefinitionGrain Grain(IGrainFactory grains, string guid) =>
        grains.GetGrain<IQuotaDefinitionGrain>(RouteGuid.Parse(guid, CloudControllerException.QuotaDefinitionNotFound));
}

/// <summary><c>POST</c> and <c>PUT /v2/quota_definitions</c>: CF's field names; on create the first five are required.</summary>
internal sealed record QuotaRequest(
    string? Name,
    bool? NonBasicServicesAllowed,
    int? TotalServices,
    int? TotalRoutes,
    int? TotalPrivateDomains,
    long? MemoryLimit,
    long? InstanceMemoryLimit,
    int? AppInstanceLimit,
    int? AppTaskLimit,
    int? TotalServiceKeys,
    int? TotalReservedRoutePorts,
    bool? TrialDbAllowed) : IRequestBody
{
    public void Validate(JsonFieldErrors errors)
    {
    }

    public void RequireCreateFields(JsonFieldErrors errors)
    {
        RequestBody.Required(Name, "name", errors);
        RequestBody.Required(NonBasicServicesAllowed, "non_basic_services_allowed", errors);
        RequestBody.Required(TotalServices, "total_services", errors);
        RequestBody.Required(TotalRoutes, "total_routes", errors);
        RequestBody.Required(MemoryLimit, "memory_limit", errors);
    }

    public QuotaLimits ToLimits()
    {
        var d = QuotaLimits.Default(Name!);
        return new QuotaLimits(Name!, NonBasicServicesAllowed!.Value, TotalServices!.Value, TotalRoutes!.Value,
            TotalPrivateDomains ?? d.TotalPrivateDomains, MemoryLimit!.Value, InstanceMemoryLimit ?? d.InstanceMemoryLimit,
            AppInstanceLimit ?? d.AppInstanceLimit, AppTaskLimit ?? d.AppTaskLimit, TotalServiceKeys ?? d.TotalServiceKeys,
            TotalReservedRoutePorts ?? d.TotalReservedRoutePorts);
    }

    public QuotaChanges ToChanges() => new(Name, NonBasicServicesAllowed, TotalServices, TotalRoutes, TotalPrivateDomains, MemoryLimit,
        InstanceMemoryLimit, AppInstanceLimit, AppTaskLimit, TotalServiceKeys, TotalReservedRoutePorts);
}
