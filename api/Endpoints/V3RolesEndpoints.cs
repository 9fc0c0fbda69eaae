using System.Collections.Immutable;
using System.Text.Json;
using CloudController.Api.Auth;
using CloudController.Api.Hosting;
using CloudController.Api.Json;
using CloudController.Api.Paging;
using CloudController.Api.Resources;
using CloudController.Api.Uaa;
using CloudController.GrainInterfaces.Access;
using CloudController.GrainInterfaces.Config;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Lists;
using CloudController.GrainInterfaces.Organizations;
using CloudController.GrainInterfaces.Spaces;
using CloudController.GrainInterfaces.Users;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CloudController.Api.Endpoints;

/// <summary>
/// v3 users and roles: the same user records and memberships v2's <c>/v2/users</c> and role routes use. A role's guid
/// is derived from its user, scope and type (see <see cref="GrainInterfaces.Users.Roles.GuidOf"/>). Who may grant or
/// end a role follows CC: admins; an organization's managers for its roles and its spaces'; a space's managers for
/// that space's.
/// </summary>
internal static class V3RolesEndpoints
{
    /// <summary>At most this many user names may be looked up in one list (the cf CLI batches 200).</summary>
    private const int MaxNames = 200;

    public static IEndpointRouteBuilder MapV3Roles(this IEndpointRouteBuilder routes)
    {
        var users = routes.MapGroup("/v3/users");
        users.MapGet("/", ListUsersAsync).Unguarded("lists the users in the caller's organizations only");
        users.MapGet("/{guid}", GetUserAsync).Guard(AccessKind.User, AccessNeed.Read);
        users.MapPost("/", CreateUserAsync).RequireCf(CfAccess.Admin).Unguarded("admins only");
        users.MapDelete("/{guid}", DeleteUserAsync).RequireCf(CfAccess.Admin).Unguarded("admins only");

        var roles = routes.MapGroup("/v3/roles");
        roles.MapGet("/", ListRolesAsync).Unguarded("lists the roles in the caller's organizations and spaces only");
        roles.MapGet("/{guid}", GetRoleAsync).Unguarded("checks that the caller sees the role's organization or space");
        roles.MapPost("/", CreateRoleAsync).Unguarded("checks that the caller manages the body's organization or space");
        roles.MapDelete("/{guid}", DeleteRoleAsync).Unguarded("checks that the caller manages the role's organization or space");
        return routes;
    }

    private static async Task<Ok<V3Page<V3User>>> ListUsersAsync(HttpContext http, IGrainFactory grains, UaaDirectory directory, BaseUrl baseUrl)
    {
        var query = V3ListQuery.Parse(http.Request.Query, ["guids", "usernames", "origins", "label_selector"]);
        var url = baseUrl.Of(http);
        var guids = query.GuidsOf("guids");
        var usernames = query.ValuesOf("usernames");
        var origins = query.ValuesOf("origins");
        if (!origins.IsDefaultOrEmpty && usernames.IsDefaultOrEmpty)
        {
            throw CloudControllerException.BadQuery("The query parameter is invalid: Origins filter cannot be provided without usernames filter");
        }

        if (!usernames.IsDefaultOrEmpty)
        {
            if (usernames.Length > MaxNames)
            {
                throw CloudControllerException.BadQuery($"The query parameter is invalid: usernames may name at most {MaxNames} users");
            }

            var named = await Task.WhenAll(usernames.Distinct(StringComparer.OrdinalIgnoreCase).Select(directory.IdentityByNameAsync));
            ImmutableArray<Guid> found = [.. named.OfType<(Guid Id, string Name)>().Select(n => n.Id)
                .Where(_ => origins.IsDefaultOrEmpty || origins.Contains(Origin))];
            guids = guids.IsDefaultOrEmpty ? found : [.. guids.Intersect(found)];
            if (guids.IsEmpty)
            {
                return TypedResults.Ok(V3Page<V3User>.Create(url, http.Request.Path, query, 0, []));
            }
        }

        var page = await grains.Lists().UsersAsync(http.ListCaller(), new ListFilter { Guids = guids }, query.Window);
        return TypedResults.Ok(V3Page<V3User>.Create(url, http.Request.Path, query, page.TotalResults, [.. page.Items.Select(u => V3User.From(u, url))]));
    }

    private static async Task<Ok<V3User>> GetUserAsync(string guid, HttpContext http, IGrainFactory grains, BaseUrl baseUrl) =>
        TypedResults.Ok(V3User.From(await grains.GetGrain<IUserGrain>(RouteGuid.Parse(guid, _ => UserNotFound())).FindAsync() ?? throw UserNotFound(), baseUrl.Of(http)));

    /// <summary><c>POST /v3/users {"guid"}</c>: records the CC user of a UAA (or client) id; its name comes from UAA.</summary>
    private static async Task<IResult> CreateUserAsync(HttpContext http, IGrainFactory grains, UaaDirectory directory, BaseUrl baseUrl)
    {
        var body = await V3Body.ReadAsync(http.Request, "guid", "metadata");
        var text = body.Fields.OptionalString("guid") ?? throw CloudControllerException.Unprocessable("Guid can't be blank");
        var guid = Guid.TryParse(text, out var parsed) ? parsed : throw CloudControllerException.Unprocessable("Guid must be a valid guid");
        try
        {
            var user = await grains.GetGrain<IUserGrain>(guid).CreateAsync(await directory.NameOfAsync(guid), null);
            return TypedResults.Json(V3User.From(user, baseUrl.Of(http)), CfJson.Options, statusCode: 201);
        }
        catch (CloudControllerException e) when (e.Code == CfErrorCode.UaaIdTaken)
        {
            throw CloudControllerException.Unprocessable($"User with guid '{text}' already exists.");
        }
    }

    /// <summary><c>DELETE /v3/users/:guid</c>: a job removes the user record and every role it holds (its UAA account stays).</summary>
    private static async Task<IResult> DeleteUserAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var user = await grains.GetGrain<IUserGrain>(RouteGuid.Parse(guid, _ => UserNotFound())).FindAsync() ?? throw UserNotFound();
        return await JobsEndpoints.AcceptedAsync(http, grains, GrainInterfaces.Jobs.JobKind.DeleteUser, user.Guid);
    }

    private static async Task<Ok<V3Page<V3Role>>> ListRolesAsync(HttpContext http, IGrainFactory grains, BaseUrl baseUrl)
    {
        var query = V3ListQuery.Parse(http.Request.Query, ["guids", "types", "organization_guids", "space_guids", "user_guids", "include"]);
        var include = query.ValuesOf("include");
        if (include.Any(i => i is not ("user" or "space" or "organization")))
        {
            throw CloudControllerException.BadQuery("The query parameter is invalid: include may be 'user', 'space' and 'organization'");
        }

        if (query.Window.Order == ListOrder.Name)
        {
            throw CloudControllerException.BadQuery("Order by can only be: 'created_at', 'updated_at'");
        }

        var page = await grains.Lists().RolesAsync(http.ListCaller(), new ListFilter
        {
            Guids = query.GuidsOf("guids"),
            Types = query.ValuesOf("types"),
            OrganizationGuids = query.GuidsOf("organization_guids"),
            SpaceGuids = query.GuidsOf("space_guids"),
            UserGuids = query.GuidsOf("user_guids"),
        }, query.Window, includeUsers: include.Contains("user"));
        var url = baseUrl.Of(http);
        var result = V3Page<V3Role>.Create(url, http.Request.Path, query, page.TotalResults, [.. page.Items.Select(r => V3Role.From(r, url))]);
        return TypedResults.Ok(include.IsDefaultOrEmpty ? result : result with { Included = await IncludedAsync(grains, page, include, url) });
    }

    /// <summary>The users, spaces and organizations of a page of roles, each loaded once, next to their grains.</summary>
    private static async Task<IReadOnlyDictionary<string, IReadOnlyList<object>>> IncludedAsync(
        IGrainFactory grains, ListPage<RoleSnapshot> page, ImmutableArray<string> include, string url)
    {
        var roles = page.Items;
        var included = new Dictionary<string, IReadOnlyList<object>>();
        if (include.Contains("user"))
        {
            // Loaded by the list grain, next to the user grains.
            included["users"] = [.. page.Users.Select(u => (object)V3User.From(u, url))];
        }

        if (include.Contains("space"))
        {
            var spaces = await Task.WhenAll(roles.Select(r => r.SpaceGuid).OfType<Guid>().Distinct().Select(s => grains.GetGrain<ISpaceGrain>(s).FindAsync()));
            included["spaces"] = [.. spaces.OfType<SpaceSnapshot>().Select(s => (object)V3Space.From(s, url))];
        }

        if (include.Contains("organization"))
        {
            var orgs = await Task.WhenAll(roles.Select(r => r.OrganizationGuid).OfType<Guid>().Distinct().Select(o => grains.GetGrain<IOrganizationGrain>(o).FindAsync()));
            included["organizations"] = [.. orgs.OfType<OrganizationSnapshot>().Select(o => (object)V3Organization.From(o, url))];
        }

        return included;
    }

    private static async Task<Ok<V3Role>> GetRoleAsync(string guid, HttpContext http, IGrainFactory grains, BaseUrl baseUrl)
    {
        var role = await VisibleRoleAsync(guid, http, grains);
        return TypedResults.Ok(V3Role.From(role, baseUrl.Of(http)));
    }

    /// <summary>
    /// <c>POST /v3/roles</c>: <c>type</c>, <c>relationships.user.data</c> (<c>guid</c>, or <c>username</c> with an optional
    /// <c>origin</c>), and exactly one of <c>relationships.organization</c> and <c>relationships.space</c>.
    /// </summary>
    private static async Task<IResult> CreateRoleAsync(HttpContext http, IGrainFactory grains, UaaDirectory directory, BaseUrl baseUrl)
    {
        var body = await V3Body.ReadAsync(http.Request, "type", "relationships");
        var typeName = body.Fields.OptionalString("type") ?? throw CloudControllerException.Unprocessable("Type can't be blank");
        var type = Roles.Parse(typeName) ?? throw CloudControllerException.Unprocessable($"Role type '{typeName}' is invalid.");
        if (body.Root.TryGetProperty("relationships", out var relationships))
        {
            V3Body.AllowOnly(relationships, "Relationships", "user", "organization", "space");
        }

        var orgGuid = body.Relationship("organization", () => InvalidScope("organization"));
        var spaceGuid = body.Relationship("space", () => InvalidScope("space"));
        if (Roles.IsSpaceRole(type) ? spaceGuid is null || orgGuid is not null : orgGuid is null || spaceGuid is not null)
        {
            throw CloudControllerException.Unprocessable(Roles.IsSpaceRole(type)
                ? "Relationships for a space role must name a space and no organization"
                : "Relationships for an organization role must name an organization and no space");
        }

        var (scopeName, organization) = Roles.IsSpaceRole(type)
            ? await SpaceScopeAsync(http, grains, spaceGuid!.Value)
            : await OrganizationScopeAsync(http, grains, orgGuid!.Value);
        var (userGuid, userName) = await UserOfAsync(http, grains, directory, body);
        var user = grains.GetGrain<IUserGrain>(userGuid);
        await user.EnsureAsync(userName);
        var scope = spaceGuid ?? orgGuid!.Value;
        var roleGuid = Roles.GuidOf(type, scope, userGuid);
        if ((await user.RolesAsync()).Any(r => r.Guid == roleGuid))
        {
            throw CloudControllerException.Unprocessable(
                $"User '{userName ?? userGuid.ToString()}' already has '{Roles.Name(type)}' role in {(Roles.IsSpaceRole(type) ? "space" : "organization")} '{scopeName}'.");
        }

        try
        {
            await (Roles.IsSpaceRole(type)
                ? user.GrantAsync(organization, scope, Roles.SpaceRoleOf(type))
                : user.GrantAsync(scope, Roles.OrgRoleOf(type)));
        }
        catch (CloudControllerException e) when (e.Code == CfErrorCode.InvalidRelation)
        {
            throw CloudControllerException.Unprocessable("Users cannot be assigned roles in a space if they do not have a role in that space's organization.");
        }

        var role = (await user.RolesAsync()).First(r => r.Guid == roleGuid);
        return TypedResults.Json(V3Role.From(role, baseUrl.Of(http)), CfJson.Options, statusCode: 201);
    }

    /// <summary><c>DELETE /v3/roles/:guid</c>: a job ends the role; an organization_user role stays while the user holds roles in its spaces.</summary>
    private static async Task<IResult> DeleteRoleAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var role = await VisibleRoleAsync(guid, http, grains);
        await (role.SpaceGuid is { } space
            ? http.RequireAsync(AccessKind.Space, space, AccessNeed.ManageSpace)
            : http.RequireAsync(AccessKind.Organization, role.Scope, AccessNeed.ManageOrganization));
        if (role.Type == RoleType.OrganizationUser
            && (await grains.GetGrain<IUserGrain>(role.UserGuid).MembershipAsync()).Spaces.Values.Any(s => s.OrganizationGuid == role.Scope))
        {
            throw CloudControllerException.Unprocessable("Cannot delete organization_user role while user has roles in spaces in that organization.");
        }

        return await JobsEndpoints.AcceptedAsync(http, grains, GrainInterfaces.Jobs.JobKind.DeleteRole, role.Guid);
    }

    /// <summary>The role, when the caller sees its organization or space; else 404 Role not found.</summary>
    private static async Task<RoleSnapshot> VisibleRoleAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var role = await grains.GetGrain<IRoleGrain>(RouteGuid.Parse(guid, _ => RoleNotFound())).FindAsync() ?? throw RoleNotFound();
        await (role.SpaceGuid is { } space
            ? http.RequireNamedAsync(AccessKind.Space, space, AccessNeed.Read, RoleNotFound)
            : http.RequireNamedAsync(AccessKind.Organization, role.Scope, AccessNeed.Read, RoleNotFound));

        return role;
    }

    /// <summary>The organization a role would be held in, when the caller manages it (its name, for CC's messages).</summary>
    private static async Task<(string Name, Guid Organization)> OrganizationScopeAsync(HttpContext http, IGrainFactory grains, Guid organization)
    {
        await http.RequireNamedAsync(AccessKind.Organization, organization, AccessNeed.ManageOrganization, () => InvalidScope("organization"));
        var org = await grains.GetGrain<IOrganizationGrain>(organization).FindAsync() ?? throw InvalidScope("organization");
        return (org.Name, org.Guid);
    }

    private static async Task<(string Name, Guid Organization)> SpaceScopeAsync(HttpContext http, IGrainFactory grains, Guid space)
    {
        await http.RequireNamedAsync(AccessKind.Space, space, AccessNeed.ManageSpace, () => InvalidScope("space"));
        var found = await grains.GetGrain<ISpaceGrain>(space).FindAsync() ?? throw InvalidScope("space");
        return (found.Name, found.OrganizationGuid);
    }

    /// <summary>The user a role names: by guid, or by <c>username</c> (and <c>origin</c>) as UAA knows it.</summary>
    private static async Task<(Guid Id, string? Name)> UserOfAsync(HttpContext http, IGrainFactory grains, UaaDirectory directory, V3Body body)
    {
        var data = body.Data("user") ?? throw CloudControllerException.Unprocessable("Relationships user can't be blank");
        if (data.ValueKind != JsonValueKind.Object)
        {
            throw CloudControllerException.Unprocessable("Relationships user must be {\"data\": {\"guid\": ...}} or {\"data\": {\"username\": ...}}");
        }

        V3Body.AllowOnly(data, "User", "guid", "username", "origin");
        if (data.TryGetProperty("guid", out var guidText))
        {
            return guidText.ValueKind == JsonValueKind.String && Guid.TryParse(guidText.GetString(), out var guid)
                ? (guid, await directory.NameOfAsync(guid))
                : throw CloudControllerException.Unprocessable("Invalid user. Ensure that the user exists and you have access to it.");
        }

        var username = data.TryGetProperty("username", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString()! : null;
        var origin = data.TryGetProperty("origin", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString() : null;
        if (string.IsNullOrEmpty(username))
        {
            throw CloudControllerException.Unprocessable("Relationships user must name a guid or a username");
        }

        await FeatureFlagsEndpoints.RequireAsync(http, grains, FeatureFlags.SetRolesByUsername);
        if (await directory.IdentityByNameAsync(username) is not { } identity || (origin is not null && origin != Origin))
        {
            throw CloudControllerException.Unprocessable(origin is null
                ? $"No user exists with the username '{username}'."
                : $"No user exists with the username '{username}' and origin '{origin}'.");
        }

        return (identity.Id, identity.Name);
    }

    /// <summary>Every user here is UAA's (configured users included).</summary>
    private const string Origin = "uaa";

    private static CloudControllerException InvalidScope(string kind) =>
        CloudControllerException.Unprocessable($"Invalid {kind}. Ensure that the {kind} exists and you have access to it.");

    private static CloudControllerException UserNotFound() => new(CfErrorCode.ResourceNotFound, "User not found");

    private static CloudControllerException RoleNotFound() => new(CfErrorCode.ResourceNotFound, "Role not found");
}

/// <summary>The v3 user: the CC record of a UAA id, named as UAA names it (a client has no name: its guid presents it).</summary>
internal sealed record V3User(
    Guid Guid, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string? Username, string PresentationName, string? Origin,
    V3Metadata Metadata, IReadOnlyDictionary<string, Link> Links)
{
    public static V3User From(UserSnapshot user, string baseUrl) => new(
        user.Guid, user.CreatedAt, user.UpdatedAt ?? user.CreatedAt, user.UserName, user.UserName ?? user.Guid.ToString("D"),
        user.UserName is null ? null : "uaa", V3Metadata.Empty, new Dictionary<string, Link> { ["self"] = new($"{baseUrl}/v3/users/{user.Guid}") });
}

/// <summary>The v3 role.</summary>
internal sealed record V3Role(
    Guid Guid, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Type, IReadOnlyDictionary<string, ToOne> Relationships,
    IReadOnlyDictionary<string, Link> Links)
{
    public static V3Role From(RoleSnapshot role, string baseUrl)
    {
        var links = new Dictionary<string, Link>
        {
            ["self"] = new($"{baseUrl}/v3/roles/{role.Guid}"),
            ["user"] = new($"{baseUrl}/v3/users/{role.UserGuid}"),
        };
        if (role.SpaceGuid is { } space)
        {
            links["space"] = new($"{baseUrl}/v3/spaces/{space}");
        }
        else
        {
            links["organization"] = new($"{baseUrl}/v3/organizations/{role.Scope}");
        }

        return new V3Role(role.Guid, role.CreatedAt, role.CreatedAt, Roles.Name(role.Type), new Dictionary<string, ToOne>
        {
            ["user"] = new(new GuidRef(role.UserGuid)),
            ["organization"] = new(role.OrganizationGuid is { } o ? new GuidRef(o) : null),
            ["space"] = new(role.SpaceGuid is { } s ? new GuidRef(s) : null),
        }, links);
    }
}
