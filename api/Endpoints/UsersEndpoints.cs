using System.Text.Json.Serialization;
using CloudController.Api.Auth;
using CloudController.Api.Json;
using CloudController.Api.Paging;
using CloudController.Api.Resources;
using CloudController.GrainInterfaces.Errors;
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
        v2.MapPost("/", CreateAsync).RequireCf(CfAccess.Admin);
        v2.MapGet("/", ListAsync);
        v2.MapGet("/{guid}", GetAsync);
        v2.MapDelete("/{guid}", DeleteAsync).RequireCf(CfAccess.Admin);
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
        if (http.CfUser() is not { } caller || !(caller.IsAdmin || caller.Scopes.Contains(Scopes.AdminReadOnly)))
        {
            throw NotAuthorized();
        }

        var query = V2ListQuery.Parse(http.Request.Query, [], []);
        var page = await Lists.Of(grains).UsersAsync(Lists.Catalog(GrainInterfaces.Indexes.IndexKeys.Users, []), query.ToIndexQuery([], []));
        return TypedResults.Ok(V2Page<UserEntity>.Create(http.Request.Path, query, page.TotalResults, [.. page.Items.Select(UserEntity.Resource)]));
    }

    private static async Task<Ok<V2Resource<UserEntity>>> GetAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var id = RouteGuid.Parse(guid, g => new CloudControllerException(CfErrorCode.UserNotFound, $"The user could not be found: {g}"));
        var caller = http.CfUser()!;
        if (!(caller.IsAdmin || caller.Scopes.Contains(Scopes.AdminReadOnly) || caller.UserId == id.ToString("D")))
        {
            throw NotAuthorized();
        }

        return TypedResults.Ok(UserEntity.Resource(await grains.GetGrain<IUserGrain>(id).GetAsync()));
    }

    /// <summary>Removes the user and every role it held; <c>?async=true</c> (what <c>cf delete-user</c> sends) answers a finished job.</summary>
    private static async Task<IResult> DeleteAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var id = RouteGuid.Parse(guid, g => new CloudControllerException(CfErrorCode.UserNotFound, $"The user could not be found: {g}"));
        await grains.GetGrain<IUserGrain>(id).DeleteAsync();
        return AsyncDeletion.Answer(http);
    }

    private static CloudControllerException NotAuthorized() =>
        new(CfErrorCode.NotAuthorized, "You are not authorized to perform the requested action");
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
