using CloudController.Api.Auth;
using CloudController.Api.Hosting;
using CloudController.Api.Json;
using CloudController.Api.Paging;
using CloudController.Api.Platform;
using CloudController.Api.Resources;
using CloudController.GrainInterfaces.Lists;
using CloudController.GrainInterfaces.Access;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Organizations;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CloudController.Api.Endpoints;

/// <summary>v2 organizations (create, read, list, update, delete) and v3 organizations (read, list).</summary>
internal static class OrganizationsEndpoints
{
    private static readonly string[] V2Filters = ["name"];
    private static readonly string[] V2Orders = ["name"];
    private static readonly string[] V3Filters = ["names", "guids"];

    public static IEndpointRouteBuilder MapOrganizations(this IEndpointRouteBuilder routes)
    {
        var v2 = routes.MapGroup("/v2/organizations");
        v2.MapPost("/", CreateAsync).RequireCf(CfAccess.Admin).Unguarded("admins only (user_org_creation is off)");
        v2.MapGet("/", ListAsync).Unguarded("lists the caller's organizations only");
        v2.MapGet("/{guid}", GetAsync).Guard(AccessKind.Organization, AccessNeed.Read);
        v2.MapPut("/{guid}", UpdateAsync).Guard(AccessKind.Organization, AccessNeed.ManageOrganization);
        v2.MapDelete("/{guid}", DeleteAsync).RequireCf(CfAccess.Admin).Unguarded("admins only");

        var v3 = routes.MapGroup("/v3/organizations");
        v3.MapGet("/", ListV3Async).Unguarded("lists the caller's organizations only");
        v3.MapGet("/{guid}", GetV3Async).Guard(AccessKind.Organization, AccessNeed.Read);
        return routes;
    }

    private static async Task<Created<V2Resource<OrganizationEntity>>> CreateAsync(HttpContext http, IGrainFactory grains, PlatformCatalog platform, PlatformSeed seed)
    {
        var body = await JsonBody.ReadObjectAsync(http.Request, JsonFieldErrors.V2);
        var command = new CreateOrganization(
            body.RequiredString("name"),
            body.OptionalBool("billing_enabled") ?? false,
            body.OptionalString("status") ?? "active",
            await QuotaGuidAsync(body, grains, seed) ?? platform.DefaultQuotaDefinitionGuid);
        http.Carry(Audit.Node(body.Root));
        var org = await grains.GetGrain<IOrganizationGrain>(Guid.NewGuid()).CreateAsync(command);
        await RolesEndpoints.GrantCreatorAsync(http, grains, org.Guid);
        var resource = OrganizationEntity.Resource(org);
        return TypedResults.Created(resource.Metadata.Url, resource);
    }

    private static async Task<Ok<V2Resource<OrganizationEntity>>> GetAsync(string guid, IGrainFactory grains) =>
        TypedResults.Ok(OrganizationEntity.Resource(await Grain(grains, guid).GetAsync()));

    private static async Task<Ok<V2Page<OrganizationEntity>>> ListAsync(HttpContext http, IGrainFactory grains)
    {
        var query = V2ListQuery.Parse(http.Request.Query, V2Filters, V2Orders);
        var page = await grains.Lists().OrganizationsAsync(http.ListCaller(), new ListFilter { Names = query.ValuesOf("name") }, query.Window);
        return TypedResults.Ok(V2Page<OrganizationEntity>.Create(
            http.Request.Path, query, page.TotalResults, [.. page.Items.Select(OrganizationEntity.Resource)]));
    }

    private static async Task<JsonHttpResult<V2Resource<OrganizationEntity>>> UpdateAsync(
        string guid, HttpContext http, IGrainFactory grains, PlatformSeed seed)
    {
        var grain = Grain(grains, guid);
        var body = await JsonBody.ReadObjectAsync(http.Request, JsonFieldErrors.V2, emptyIsObject: true);
        if (!http.CfUser()!.IsAdmin && body.Root.EnumerateObject().Any(p => p.Name != "name"))
        {
            // Org managers rename; quota, status and billing stay the platform's call.
            throw AccessControl.NotAuthorized();
        }

        var command = new UpdateOrganization(
            body.OptionalString("name"), body.OptionalBool("billing_enabled"), body.OptionalString("status"), await QuotaGuidAsync(body, grains, seed));
        // v2 updates answer 201 Created, as CF does.
        http.Carry(Audit.Node(body.Root));
        var updated = await grain.UpdateAsync(command);
        return TypedResults.Json(OrganizationEntity.Resource(updated), CfJson.Options, statusCode: 201);
    }

    private static async Task<IResult> DeleteAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var grain = Grain(grains, guid);
        if (AsyncDeletion.Recursive(http))
        {
            var org = await grain.GetAsync();
            return await AsyncDeletion.AnswerJobAsync(http, grains, await AsyncDeletion.StartAsync(http, grains, GrainInterfaces.Jobs.JobKind.DeleteOrganization, org.Guid));
        }

        http.Carry(new System.Text.Json.Nodes.JsonObject { ["recursive"] = false });
        await grain.DeleteAsync();
        return AsyncDeletion.Answer(http);
    }

    private static async Task<Ok<V3Organization>> GetV3Async(string guid, HttpContext http, IGrainFactory grains, BaseUrl baseUrl) =>
        TypedResults.Ok(V3Organization.From(await Grain(grains, guid).GetAsync(), baseUrl.Of(http)));

    private static async Task<Ok<V3Page<V3Organization>>> ListV3Async(HttpContext http, IGrainFactory grains, BaseUrl baseUrl)
    {
        var query = V3ListQuery.Parse(http.Request.Query, V3Filters);
        var page = await grains.Lists().OrganizationsAsync(
            http.ListCaller(), new ListFilter { Names = query.ValuesOf("names"), Guids = query.GuidsOf("guids") }, query.Window);
        var url = baseUrl.Of(http);
        return TypedResults.Ok(V3Page<V3Organization>.Create(
            url, http.Request.Path, query, page.TotalResults, [.. page.Items.Select(o => V3Organization.From(o, url))]));
    }

    private static IOrganizationGrain Grain(IGrainFactory grains, string guid) =>
        grains.GetGrain<IOrganizationGrain>(RouteGuid.Parse(guid, CloudControllerException.OrganizationNotFound));

    private static async Task<Guid?> QuotaGuidAsync(JsonFields body, IGrainFactory grains, PlatformSeed seed)
    {
        await seed.EnsureAsync();
        var quota = body.OptionalGuid("quota_definition_guid", UnknownQuota);
        return quota is null || await grains.GetGrain<GrainInterfaces.Quotas.IQuotaDefinitionGrain>(quota.Value).FindAsync() is not null
            ? quota
            : throw UnknownQuota(quota.Value.ToString());
    }

    private static CloudControllerException UnknownQuota(string guid) =>
        new(CfErrorCode.InvalidRelation, $"Could not find VCAP::CloudController::QuotaDefinition with guid: {guid}");
}
