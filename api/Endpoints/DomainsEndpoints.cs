using System.Collections.Immutable;
using CloudController.Api.Auth;
using CloudController.Api.Json;
using CloudController.Api.Paging;
using CloudController.Api.Platform;
using CloudController.Api.Resources;
using CloudController.GrainInterfaces.Lists;
using CloudController.GrainInterfaces.Access;
using CloudController.GrainInterfaces.Domains;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Organizations;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CloudController.Api.Endpoints;

/// <summary>
/// v2 shared domains (configured ones seeded, more by admins), private domains per organization, and an
/// organization's domains (both kinds). Names are unique across both kinds (DomainNameTaken).
/// </summary>
internal static class DomainsEndpoints
{
    private static readonly string[] Filters = ["name"];
    private static readonly string[] Orders = ["name"];

    public static IEndpointRouteBuilder MapDomains(this IEndpointRouteBuilder routes)
    {
        var shared = routes.MapGroup("/v2/shared_domains");
        shared.MapGet("/", ListSharedAsync).Unguarded("shared domains are visible to every user");
        shared.MapGet("/{guid}", GetSharedAsync).Unguarded("shared domains are visible to every user");
        shared.MapPost("/", CreateSharedAsync).RequireCf(CfAccess.Admin).Unguarded("admins only");
        shared.MapDelete("/{guid}", DeleteSharedAsync).RequireCf(CfAccess.Admin).Unguarded("admins only");

        var owned = routes.MapGroup("/v2/private_domains");
        owned.MapGet("/", ListPrivateAsync).Unguarded("lists the private domains of the caller's organizations only");
        owned.MapGet("/{guid}", GetPrivateAsync).Guard(AccessKind.PrivateDomain, AccessNeed.Read);
        owned.MapPost("/", CreatePrivateAsync).Unguarded("checks that the caller manages the body's organization");
        owned.MapDelete("/{guid}", DeletePrivateAsync).Guard(AccessKind.PrivateDomain, AccessNeed.ManageOrganization);

        routes.MapGet("/v2/organizations/{guid}/private_domains", ListOrganizationPrivateAsync).Guard(AccessKind.Organization, AccessNeed.Read);
        routes.MapGet("/v2/organizations/{guid}/domains", ListOrganizationDomainsAsync).Guard(AccessKind.Organization, AccessNeed.Read);
        return routes;
    }

    private static async Task<Ok<V2Page<SharedDomainEntity>>> ListSharedAsync(HttpContext http, IGrainFactory grains, PlatformSeed seed)
    {
        await seed.EnsureAsync();
        var query = V2ListQuery.Parse(http.Request.Query, Filters, Orders);
        var (total, items) = await LoadAsync(http, grains, query, new ListFilter { Shared = true });
        return TypedResults.Ok(V2Page<SharedDomainEntity>.Create(http.Request.Path, query, total, [.. items.Select(SharedDomainEntity.Resource)]));
    }

    private static async Task<Ok<V2Resource<SharedDomainEntity>>> GetSharedAsync(string guid, IGrainFactory grains, PlatformSeed seed)
    {
        await seed.EnsureAsync();
        var domain = await GetAsync(grains, guid);
        return domain.Shared ? TypedResults.Ok(SharedDomainEntity.Resource(domain)) : throw CloudControllerException.DomainNotFound(guid);
    }

    private static async Task<Created<V2Resource<SharedDomainEntity>>> CreateSharedAsync(HttpContext http, IGrainFactory grains)
    {
        var body = await RequestBody.ReadAsync<SharedDomainRequest>(http.Request, JsonFieldErrors.V2);
        var domain = await grains.GetGrain<IDomainGrain>(Guid.NewGuid())
            .CreateAsync(new CreateDomain(body.Name!, null, body.Internal ?? false, body.RouterGroupGuid is null ? null : "tcp"));
        var resource = SharedDomainEntity.Resource(domain);
        return TypedResults.Created(resource.Metadata.Url, resource);
    }

    private static async Task<IResult> DeleteSharedAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var domain = await GetAsync(grains, guid);
        if (!domain.Shared)
        {
            throw CloudControllerException.DomainNotFound(guid);
        }

        return await DeleteAsync(http, grains, domain);
    }

    private static async Task<Ok<V2Page<PrivateDomainEntity>>> ListPrivateAsync(HttpContext http, IGrainFactory grains)
    {
        var query = V2ListQuery.Parse(http.Request.Query, Filters, Orders);
        var (total, items) = await LoadAsync(http, grains, query, new ListFilter { Shared = false });
        return TypedResults.Ok(V2Page<PrivateDomainEntity>.Create(http.Request.Path, query, total, [.. items.Select(PrivateDomainEntity.Resource)]));
    }

    private static async Task<Ok<V2Resource<PrivateDomainEntity>>> GetPrivateAsync(string guid, IGrainFactory grains)
    {
        var domain = await GetAsync(grains, guid);
        return domain.Shared ? throw CloudControllerException.DomainNotFound(guid) : TypedResults.Ok(PrivateDomainEntity.Resource(domain));
    }

    private static async Task<IResult> CreatePrivateAsync(HttpContext http, IGrainFactory grains)
    {
        var body = await RequestBody.ReadAsync<PrivateDomainRequest>(http.Request, JsonFieldErrors.V2);
        var org = RouteGuid.TryParse(body.OwningOrganizationGuid, out var g) ? g
            : throw CloudControllerException.InvalidRelation($"Could not find VCAP::CloudController::Organization with guid: {body.OwningOrganizationGuid}");
        await http.RequireAsync(AccessKind.Organization, org, AccessNeed.ManageOrganization);
        await FeatureFlagsEndpoints.RequireAsync(http, grains, GrainInterfaces.Config.FeatureFlags.PrivateDomainCreation);
        var domain = await grains.GetGrain<IDomainGrain>(Guid.NewGuid()).CreateAsync(new CreateDomain(body.Name!, org, false, null));
        var resource = PrivateDomainEntity.Resource(domain);
        return TypedResults.Json(resource, CfJson.Options, statusCode: 201);
    }

    private static async Task<IResult> DeletePrivateAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var domain = await GetAsync(grains, guid);
        if (domain.Shared)
        {
            throw CloudControllerException.DomainNotFound(guid);
        }

        return await DeleteAsync(http, grains, domain);
    }

    private static async Task<IResult> DeleteAsync(HttpContext http, IGrainFactory grains, DomainSnapshot domain)
    {
        if (AsyncDeletion.Recursive(http))
        {
            return await AsyncDeletion.AnswerJobAsync(http, grains, await AsyncDeletion.StartAsync(http, grains, GrainInterfaces.Jobs.JobKind.DeleteDomain, domain.Guid));
        }

        await grains.GetGrain<IDomainGrain>(domain.Guid).DeleteAsync();
        return AsyncDeletion.Answer(http);
    }

    private static async Task<Ok<V2Page<PrivateDomainEntity>>> ListOrganizationPrivateAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var org = await grains.GetGrain<IOrganizationGrain>(RouteGuid.Parse(guid, CloudControllerException.OrganizationNotFound)).GetAsync();
        var query = V2ListQuery.Parse(http.Request.Query, Filters, Orders);
        var (total, items) = await LoadAsync(http, grains, query, new ListFilter { Shared = false, OrganizationGuids = [org.Guid] });
        return TypedResults.Ok(V2Page<PrivateDomainEntity>.Create(http.Request.Path, query, total, [.. items.Select(PrivateDomainEntity.Resource)]));
    }

    private static async Task<Ok<V2Page<DomainEntity>>> ListOrganizationDomainsAsync(string guid, HttpContext http, IGrainFactory grains, PlatformSeed seed)
    {
        await seed.EnsureAsync();
        var org = await grains.GetGrain<IOrganizationGrain>(RouteGuid.Parse(guid, CloudControllerException.OrganizationNotFound)).GetAsync();
        var query = V2ListQuery.Parse(http.Request.Query, Filters, Orders);
        var (total, items) = await LoadAsync(http, grains, query, new ListFilter { OrganizationGuids = [org.Guid] });
        return TypedResults.Ok(V2Page<DomainEntity>.Create(http.Request.Path, query, total, [.. items.Select(DomainEntity.Resource)]));
    }

    private static async Task<(int Total, ImmutableArray<DomainSnapshot> Items)> LoadAsync(HttpContext http, IGrainFactory grains, V2ListQuery query, ListFilter filter)
    {
        var page = await grains.Lists().DomainsAsync(http.ListCaller(), filter with { Names = query.ValuesOf("name") }, query.Window);
        return (page.TotalResults, page.Items);
    }

    private static Task<DomainSnapshot> GetAsync(IGrainFactory grains, string guid) =>
        grains.GetGrain<IDomainGrain>(RouteGuid.Parse(guid, CloudControllerException.DomainNotFound)).GetAsync();
}

/// <summary><c>POST /v2/shared_domains</c>.</summary>
internal sealed record SharedDomainRequest(string? Name, bool? Internal, string? RouterGroupGuid) : IRequestBody
{
    public void Validate(JsonFieldErrors errors) => RequestBody.Required(Name, "name", errors);
}

/// <summary><c>POST /v2/private_domains</c> (the cf CLI also sends <c>wildcard</c>, which every domain is here).</summary>
internal sealed record PrivateDomainRequest(string? Name, string? OwningOrganizationGuid, bool? Wildcard) : IRequestBody
{
    public void Validate(JsonFieldErrors errors)
    {
        RequestBody.Required(Name, "name", errors);
        RequestBody.Required(OwningOrganizationGuid, "owning_organization_guid", errors);
    }
}
