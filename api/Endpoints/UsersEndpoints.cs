using System.Text.Json.Serialization;
using CloudController.Api.Auth;
using CloudController.Api.Json;
using CloudController.Api.Paging;
using CloudController.Api.Resources;
using CloudController.GrainInterfaces.Lists;
using CloudController.GrainInterfaces.Access;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Organizations;
using CloudController.GrainInterfaces.Spaces;
using CloudController.GrainInterfaces.Uaa;
using CloudController.GrainInterfaces.Users;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CloudController.Api.Endpoints;

/// <summary>
/// v2 users: the Cloud Controller's record of a UAA identity. <c>cf create-user</c> creates the UAA user, then
/// <c>POST /v2/users {"guid"}</c> (admin). Reading a user is for admins and the user itself.
/// </summary>
internal static class UsersEndpoints
{
    public static IEndpointRouteBuilder MapUsers(this IEndpointRouteBuilder routes)
    {
        var v2 = routes.MapGroup("/v2/users");
        v2.MapPost("/", CreateAsync).RequireCf(CfAccess.Admin).Unguarded("admins only");
        v2.MapGet("/", ListAsync).RequireCf(CfAccess.PlatformRead).Unguarded("admins and platform-wide readers only");
        v2.MapGet("/{guid}", GetAsync).Guard(AccessKind.User, AccessNeed.Read);
        v2.MapDelete("/{guid}", DeleteAsync).RequireCf(CfAccess.Admin).Unguarded("admins only");
        v2.MapGet("/{guid}/organizations", (string guid, HttpContext http, IGrainFactory grains) => OrganizationsAsync(guid, OrgRole.User, http, grains)).Guard(AccessKind.User, AccessNeed.Read);
        v2.MapGet("/{guid}/managed_organizations", (string guid, HttpContext http, IGrainFactory grains) => OrganizationsAsync(guid, OrgRole.Manager, http, grains)).Guard(AccessKind.User, AccessNeed.Read);
        v2.MapGet("/{guid}/billing_managed_organizations", (string guid, HttpContext http, IGrainFactory grains) => OrganizationsAsync(guid, OrgRole.BillingManager, http, grains)).Guard(AccessKind.User, AccessNeed.Read);
        v2.MapGet("/{guid}/audited_organizations", (string guid, HttpContext http, IGrainFactory grains) => OrganizationsAsync(guid, OrgRole.Auditor, http, grains)).Guard(AccessKind.User, AccessNeed.Read);
        v2.MapGet("/{guid}/spaces", (string guid, HttpContext http, IGrainFactory grains) => SpacesAsync(guid, SpaceRole.Developer, http, grains)).Guard(AccessKind.User, AccessNeed.Read);
        v2.MapGet("/{guid}/managed_spaces", (string guid, HttpContext http, IGrainFactory grains) => SpacesAsync(guid, SpaceRole.Manager, http, grains)).Guard(AccessKind.User, AccessNeed.Read);
        v2.MapGet("/{guid}/audited_spaces", (string guid, HttpContext http, IGrainFactory grains) => SpacesAsync(guid, SpaceRole.Auditor, http, grains)).Guard(AccessKind.User, AccessNeed.Read);
        return routes;
    }

    private static async Task<Created<V2Resource<UserEntity>>> CreateAsync(HttpContext http, IGrainFactory grains)
    {
        var body = await JsonBody.ReadObjectAsync(http.Request, JsonFieldErrors.V2);
        var guid = body.RequiredGuid("guid", text => CloudControllerException.Unprocessable($"The guid is not a UAA user id: {text}"));
        var defaultSpace = body.OptionalGuid("default_space_guid", text => new CloudControllerException(CfErrorCode.InvalidRelation, $"Could not find space with guid: {text}"));
        var uaa = await grains.GetGrain<IUaaUserGrain>(guid).FindAsync();
        var user = await grains.GetGrain<IUserGrain>(guid).CreateAsync(uaa?.UserName, defaultSpace);
        var resource = UserEntity.Resource(user);
        return TypedResults.Created(resource.Metadata.Url, resource);
    }

    private static async Task<Ok<V2Page<UserEntity>>> ListAsync(HttpContext http, IGrainFactory grains)
    {
        var query = V2ListQuery.Parse(http.Request.Query, [], []);
        var page = await grains.Lists().UsersAsync(http.ListCaller(), ListFilter.None, query.Window);
        return TypedResults.Ok(V2Page<UserEntity>.Create(http.Request.Path, query, page.TotalResults, [.. page.Items.Select(UserEntity.Resource)]));
    }

    private static async Task<Ok<V2Resource<UserEntity>>> GetAsync(string guid, HttpContext http, IGrainFactory grains) =>
        TypedResults.Ok(UserEntity.Resource(await Readable(guid, http, grains).GetAsync()));

    /// <summary>The organizations in which the user holds <paramref name="role"/> (from its membership record).</summary>
    private static async Task<Ok<V2Page<OrganizationEntity>>> OrganizationsAsync(string guid, OrgRole role, HttpContext http, IGrainFactory grains)
    {
        var user = Readable(guid, http, grains);
        await user.GetAsync();
        var query = V2ListQuery.Parse(http.Request.Query, [], []);
        var guids = (await user.MembershipAsync()).Organizations.Where(o => o.Value.Contains(role)).Select(o => o.Key);
        var orgs = (await Task.WhenAll(guids.Select(g => grains.GetGrain<IOrganizationGrain>(g).FindAsync()))).OfType<OrganizationSnapshot>();
        return Page(http, query, orgs.Select(o => (o.CreatedAt, o.Guid, OrganizationEntity.Resource(o))));
    }

    /// <summary>The spaces in which the user holds <paramref name="role"/> (from its membership record).</summary>
    private static async Task<Ok<V2Page<SpaceEntity>>> SpacesAsync(string guid, SpaceRole role, HttpContext http, IGrainFactory grains)
    {
        var user = Readable(guid, http, grains);
        await user.GetAsync();
        var query = V2ListQuery.Parse(http.Request.Query, [], []);
        var guids = (await user.MembershipAsync()).Spaces.Where(s => s.Value.Roles.Contains(role)).Select(s => s.Key);
        var spaces = (await Task.WhenAll(guids.Select(g => grains.GetGrain<ISpaceGrain>(g).FindAsync()))).OfType<SpaceSnapshot>();
        return Page(http, query, spaces.Select(s => (s.CreatedAt, s.Guid, SpaceEntity.Resource(s))));
    }

    /// <summary>A membership record is small (a user's roles), so its lists page in memory, in creation order.</summary>
    private static Ok<V2Page<T>> Page<T>(HttpContext http, V2ListQuery query, IEnumerable<(DateTimeOffset CreatedAt, Guid Guid, V2Resource<T> Resource)> items)
    {
        var ordered = items.OrderBy(i => i.CreatedAt).ThenBy(i => i.Guid).Select(i => i.Resource).ToList();
        if (query.Descending)
        {
            ordered.Reverse();
        }

        return TypedResults.Ok(V2Page<T>.Create(http.Request.Path, query, ordered.Count, [.. ordered.Skip((query.Page - 1) * query.PerPage).Take(query.PerPage)]));
    }

    /// <summary>A user record the caller may read: admins and read-only admins read any, a user reads itself.</summary>
    /// <summary>The user a route names (who may read it, itself and platform-wide readers, is the route's guard).</summary>
    private static IUserGrain Readable(string guid, HttpContext http, IGrainFactory grains) =>
        grains.GetGrain<IUserGrain>(RouteGuid.Parse(guid, g => new CloudControllerException(CfErrorCode.UserNotFound, $"The user could not be found: {g}")));

    /// <summary>Removes the user and every role it held; <c>?async=true</c> (what <c>cf delete-user</c> sends) answers a finished job.</summary>
    private static async Task<IResult> DeleteAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var id = RouteGuid.Parse(guid, g => new CloudControllerException(CfErrorCode.UserNotFound, $"The user could not be found: {g}"));
        await grains.GetGrain<IUserGrain>(id).DeleteAsync();
        return AsyncDeletion.Answer(http);
    }
}

/// <summary>The v2 user entity.</summary>
internal sealed record UserEntity(
    bool Admin,
    bool Active,
    Guid? DefaultSpaceGuid,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Username,
    string SpacesUrl,
    string OrganizationsUrl,
    string ManagedOrganizationsUrl,
    string BillingManagedOrganizationsUrl,
    string AuditedOrganizationsUrl,
    string ManagedSpacesUrl,
    string AuditedSpacesUrl)
{
    public static V2Resource<UserEntity> Resource(UserSnapshot user)
    {
        var self = $"/v2/users/{user.Guid}";
        return V2Resource.Of("users", user.Guid, user.CreatedAt, user.UpdatedAt, new UserEntity(
            user.Admin, user.Active, user.DefaultSpaceGuid, user.UserName,
            $"{self}/spaces", $"{self}/organizations", $"{self}/managed_organizations", $"{self}/billing_managed_organizations",
            $"{self}/audited_organizations", $"{self}/managed_spaces", $"{self}/audited_spaces"));
    }
}
