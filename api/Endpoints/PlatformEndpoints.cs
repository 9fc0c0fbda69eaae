using CloudController.Api.Auth;
using CloudController.Api.Json;
using CloudController.Api.Paging;
using CloudController.Api.Platform;
using CloudController.Api.Resources;
using CloudController.GrainInterfaces.Lists;
using CloudController.GrainInterfaces.Buildpacks;
using CloudController.GrainInterfaces.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CloudController.Api.Endpoints;

/// <summary>Stacks (from the platform catalog) and admin buildpacks (grains).</summary>
internal static class PlatformEndpoints
{
    private static readonly string[] NameFilter = ["name"];
    private static readonly string[] NoOrders = [];

    public static IEndpointRouteBuilder MapPlatform(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v2/stacks", ListStacks).Unguarded("platform-wide: stacks and buildpacks belong to no org");
        routes.MapGet("/v2/stacks/{guid}", GetStack).Unguarded("platform-wide: stacks and buildpacks belong to no org");

        var buildpacks = routes.MapGroup("/v2/buildpacks");
        buildpacks.MapPost("/", CreateBuildpackAsync).RequireCf(CfAccess.Admin).Unguarded("platform-wide: stacks and buildpacks belong to no org");
        buildpacks.MapGet("/", ListBuildpacksAsync).Unguarded("platform-wide: stacks and buildpacks belong to no org");
        buildpacks.MapGet("/{guid}", GetBuildpackAsync).Unguarded("platform-wide: stacks and buildpacks belong to no org");
        buildpacks.MapDelete("/{guid}", DeleteBuildpackAsync).RequireCf(CfAccess.Admin).Unguarded("platform-wide: stacks and buildpacks belong to no org");
        return routes;
    }

    private static Ok<V2Page<StackEntity>> ListStacks(HttpContext http, PlatformCatalog platform)
    {
        var query = V2ListQuery.Parse(http.Request.Query, NameFilter, NoOrders);
        var names = query.ValuesOf("name");
        var matching = platform.Stacks.Where(s => names.IsDefaultOrEmpty || names.Contains(s.Name)).ToList();
        if (query.Descending)
        {
            matching.Reverse();
        }

        var page = matching.Skip((query.Page - 1) * query.PerPage).Take(query.PerPage).Select(StackEntity.Resource).ToList();
        return TypedResults.Ok(V2Page<StackEntity>.Create(http.Request.Path, query, matching.Count, page));
    }

    private static Ok<V2Resource<StackEntity>> GetStack(string guid, PlatformCatalog platform) =>
        TypedResults.Ok(StackEntity.Resource(platform.Stack(RouteGuid.Parse(guid, StackNotFound))));

    private static async Task<Created<V2Resource<BuildpackEntity>>> CreateBuildpackAsync(HttpContext http, IGrainFactory grains)
    {
        var body = await JsonBody.ReadObjectAsync(http.Request, JsonFieldErrors.V2);
        var command = new CreateBuildpack(
            body.RequiredString("name"), body.OptionalInt("position") ?? 0, body.OptionalBool("enabled") ?? true, body.OptionalBool("locked") ?? false);
        var resource = BuildpackEntity.Resource(await grains.GetGrain<IBuildpackGrain>(Guid.NewGuid()).CreateAsync(command));
        return TypedResults.Created(resource.Metadata.Url, resource);
    }

    private static async Task<Ok<V2Resource<BuildpackEntity>>> GetBuildpackAsync(string guid, IGrainFactory grains) =>
        TypedResults.Ok(BuildpackEntity.Resource(await Buildpack(grains, guid).GetAsync()));

    /// <summary>Buildpacks are few and listed by position, which the index does not order by: load all, sort, then page.</summary>
    private static async Task<Ok<V2Page<BuildpackEntity>>> ListBuildpacksAsync(HttpContext http, IGrainFactory grains)
    {
        var query = V2ListQuery.Parse(http.Request.Query, NameFilter, NoOrders);
        var all = await grains.Lists().BuildpacksAsync(new ListFilter { Names = query.ValuesOf("name") }, ListWindow.All);
        var buildpacks = all.Items
            .OrderBy(b => b.Position).ThenBy(b => b.CreatedAt).ToList();
        if (query.Descending)
        {
            buildpacks.Reverse();
        }

        var page = buildpacks.Skip((query.Page - 1) * query.PerPage).Take(query.PerPage).Select(BuildpackEntity.Resource).ToList();
        return TypedResults.Ok(V2Page<BuildpackEntity>.Create(http.Request.Path, query, buildpacks.Count, page));
    }

    private static async Task<NoContent> DeleteBuildpackAsync(string guid, IGrainFactory grains)
    {
        await Buildpack(grains, guid).DeleteAsync();
        return TypedResults.NoContent();
    }

    private static IBuildpackGrain Buildpack(IGrainFactory grains, string guid) =>
        grains.GetGrain<IBuildpackGrain>(RouteGuid.Parse(guid, CloudControllerException.BuildpackNotFound));

    private static CloudControllerException StackNotFound(string guid) =>
        new(CfErrorCode.StackNotFound, $"The stack could not be found: {guid}");
}
