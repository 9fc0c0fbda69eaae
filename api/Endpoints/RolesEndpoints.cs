using CloudController.Api.Auth;
using CloudController.Api.Json;
using CloudController.Api.Paging;
using CloudController.Api.Resources;
using CloudController.Api.Uaa;
using CloudController.GrainInterfaces.Lists;
using CloudController.GrainInterfaces.Access;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Organizations;
using CloudController.GrainInterfaces.Spaces;
using CloudController.GrainInterfaces.Users;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CloudController.Api.Endpoints;

/// <summary>
/// Org roles (<c>users</c>, <c>managers</c>, <c>billing_managers</c>, <c>auditors</c>) and space roles
/// (<c>developers</c>, <c>managers</c>, <c>auditors</c>): <c>PUT</c>/<c>DELETE</c> by user guid or by
/// <c>{"username"}</c>, and their <c>GET</c> lists. Admins and the organization's managers assign roles (space
/// managers, too, in their space: the routes' guards). A space role needs the org user role first; leaving the org ends them.
/// </summary>
internal static class RolesEndpoints
{
    private static readonly Dictionary<string, OrgRole> OrgRoles = new(StringComparer.Ordinal)
    {
        ["users"] = OrgRole.User, ["managers"] = OrgRole.Manager, ["billing_managers"] = OrgRole.BillingManager, ["auditors"] = OrgRole.Auditor,
    };

    private static readonly Dictionary<string, SpaceRole> SpaceRoles = new(StringComparer.Ordinal)
    {
        ["developers"] = SpaceRole.Developer, ["managers"] = SpaceRole.Manager, ["auditors"] = SpaceRole.Auditor,
    };

    public static IEndpointRouteBuilder MapRoles(this IEndpointRouteBuilder routes)
    {
        foreach (var (path, role) in OrgRoles)
        {
            MapRole(routes, $"/v2/organizations/{{guid}}/{path}", AccessKind.Organization, AccessNeed.ManageOrganization,
                (http, guid) => ListOrgAsync(guid, role, http),
                (http, guid, who, grant) => SetOrgAsync(guid, role, who, http, grant));
        }

        foreach (var (path, role) in SpaceRoles)
        {
            MapRole(routes, $"/v2/spaces/{{guid}}/{path}", AccessKind.Space, AccessNeed.ManageSpace,
                (http, guid) => ListSpaceAsync(guid, role, http),
                (http, guid, who, grant) => SetSpaceAsync(guid, role, who, http, grant));
        }

        return routes;
    }

    /// <summary>
    /// The five routes of one role: its list (for whoever sees the org or space), and granting or revoking it by user
    /// guid or by <c>{"username"}</c> (for whoever has <paramref name="assign"/> on it).
    /// </summary>
    private static void MapRole(
        IEndpointRouteBuilder routes, string prefix, AccessKind kind, AccessNeed assign, Func<HttpContext, string, Task<IResult>> list,
        Func<HttpContext, string, Task<(Guid Id, string? Name)>, bool, Task<IResult>> set)
    {
        var role = routes.MapGroup(prefix);
        role.MapGet("/", (string guid, HttpContext http) => list(http, guid)).Guard(kind, AccessNeed.Read);
        role.MapPut("/{user}", (string guid, string user, HttpContext http) => set(http, guid, UserByGuidAsync(user, http), true)).Guard(kind, assign);
        role.MapPut("/", (string guid, HttpContext http) => set(http, guid, UserByNameAsync(http, GrainInterfaces.Config.FeatureFlags.SetRolesByUsername), true)).Guard(kind, assign);
        role.MapDelete("/{user}", (string guid, string user, HttpContext http) => set(http, guid, UserByGuidAsync(user, http), false)).Guard(kind, assign);
        role.MapDelete("/", (string guid, HttpContext http) => set(http, guid, UserByNameAsync(http, GrainInterfaces.Config.FeatureFlags.UnsetRolesByUsername), false)).Guard(kind, assign);
    }

    /// <summary>Makes the caller (a user, not a client) manager and user of the organization it just created, as CF does.</summary>
    public static async Task GrantCreatorAsync(HttpContext http, IGrainFactory grains, Guid organization)
    {
        if (http.CfUser() is { UserName: { } name } caller && Guid.TryParse(caller.UserId, out var id))
        {
            var user = grains.GetGrain<IUserGrain>(id);
            await user.EnsureAsync(name);
            await user.GrantAsync(organization, OrgRole.User);
            await user.GrantAsync(organization, OrgRole.Manager);
        }
    }

    private static async Task<IResult> SetOrgAsync(string guid, OrgRole role, Task<(Guid Id, string? Name)> who, HttpContext http, bool grant)
    {
        var grains = http.RequestServices.GetRequiredService<IGrainFactory>();
        var org = await grains.GetGrain<IOrganizationGrain>(RouteGuid.Parse(guid, CloudControllerException.OrganizationNotFound)).GetAsync();
        var (id, name) = await who;
        var user = grains.GetGrain<IUserGrain>(id);
        if (grant)
        {
            await user.EnsureAsync(name);
            await user.GrantAsync(org.Guid, role);
            return TypedResults.Json(OrganizationEntity.Resource(org), CfJson.Options, statusCode: 201);
        }

        await user.RevokeAsync(org.Guid, role);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> SetSpaceAsync(string guid, SpaceRole role, Task<(Guid Id, string? Name)> who, HttpContext http, bool grant)
    {
        var grains = http.RequestServices.GetRequiredService<IGrainFactory>();
        var space = await grains.GetGrain<ISpaceGrain>(RouteGuid.Parse(guid, CloudControllerException.SpaceNotFound)).GetAsync();
        var (id, name) = await who;
        var user = grains.GetGrain<IUserGrain>(id);
        if (grant)
        {
            await user.EnsureAsync(name);
            await user.GrantAsync(space.OrganizationGuid, space.Guid, role);
            return TypedResults.Json(SpaceEntity.Resource(space), CfJson.Options, statusCode: 201);
        }

        await user.RevokeAsync(space.Guid, role);
        return TypedResults.NoContent();
    }

    private static async Task<IResult> ListOrgAsync(string guid, OrgRole role, HttpContext http)
    {
        var grains = http.RequestServices.GetRequiredService<IGrainFactory>();
        var org = await grains.GetGrain<IOrganizationGrain>(RouteGuid.Parse(guid, CloudControllerException.OrganizationNotFound)).GetAsync();
        return await ListAsync(org.Guid, role.ToString(), http, grains);
    }

    private static async Task<IResult> ListSpaceAsync(string guid, SpaceRole role, HttpContext http)
    {
        var grains = http.RequestServices.GetRequiredService<IGrainFactory>();
        var space = await grains.GetGrain<ISpaceGrain>(RouteGuid.Parse(guid, CloudControllerException.SpaceNotFound)).GetAsync();
        return await ListAsync(space.Guid, role.ToString(), http, grains);
    }

    private static async Task<Ok<V2Page<UserEntity>>> ListAsync(Guid scope, string role, HttpContext http, IGrainFactory grains)
    {
        var query = V2ListQuery.Parse(http.Request.Query, [], []);
        var page = await grains.Lists().UsersAsync(http.ListCaller(), new ListFilter { Role = role, RoleScope = scope }, query.Window);
        return TypedResults.Ok(V2Page<UserEntity>.Create(http.Request.Path, query, page.TotalResults, [.. page.Items.Select(UserEntity.Resource)]));
    }

    /// <summary>A user guid, with the name configuration or UAA knows it by, when one does.</summary>
    private static async Task<(Guid Id, string? Name)> UserByGuidAsync(string user, HttpContext http)
    {
        var id = RouteGuid.Parse(user, g => new CloudControllerException(CfErrorCode.UserNotFound, $"The user could not be found: {g}"));
        return (id, await http.RequestServices.GetRequiredService<UaaDirectory>().NameOfAsync(id));
    }

    /// <summary>A <c>{"username"}</c> body: a configured user or a UAA user.</summary>
    private static async Task<(Guid Id, string? Name)> UserByNameAsync(HttpContext http, string flag)
    {
        await FeatureFlagsEndpoints.RequireAsync(http, http.RequestServices.GetRequiredService<IGrainFactory>(), flag);
        var body = await JsonBody.ReadObjectAsync(http.Request, JsonFieldErrors.V2);
        var name = body.RequiredString("username");
        return await http.RequestServices.GetRequiredService<UaaDirectory>().IdentityByNameAsync(name) is { } found
            ? found
            : throw new CloudControllerException(CfErrorCode.UserNotFound, $"The user could not be found: {name}");
    }
}
