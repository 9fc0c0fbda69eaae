using CloudController.Api.Auth;
using CloudController.Api.Bits;
using CloudController.GrainInterfaces.Jobs;
using CloudController.Storage;
using Microsoft.Extensions.Options;
using CloudController.Api.Hosting;
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
        buildpacks.MapPut("/{guid}/bits", UploadBuildpackBitsV2Async).RequireCf(CfAccess.Admin).Unguarded("platform-wide: stacks and buildpacks belong to no org");
        buildpacks.MapDelete("/{guid}", DeleteBuildpackAsync).RequireCf(CfAccess.Admin).Unguarded("platform-wide: stacks and buildpacks belong to no org");

        routes.MapGet("/v3/stacks", ListV3Stacks).Unguarded("platform-wide: stacks and buildpacks belong to no org");
        routes.MapGet("/v3/stacks/{guid}", (string guid, HttpContext http, PlatformCatalog platform, BaseUrl baseUrl) =>
            TypedResults.Ok(V3Stack.From(platform.Stack(RouteGuid.Parse(guid, _ => V3StackNotFound())), platform, baseUrl.Of(http))))
            .Unguarded("platform-wide: stacks and buildpacks belong to no org");
        routes.MapGet("/v3/buildpacks", ListV3BuildpacksAsync).Unguarded("platform-wide: stacks and buildpacks belong to no org");
        routes.MapPost("/v3/buildpacks", CreateV3BuildpackAsync).RequireCf(CfAccess.Admin).Unguarded("platform-wide: stacks and buildpacks belong to no org");
        routes.MapPost("/v3/buildpacks/{guid}/upload", UploadBuildpackBitsV3Async).RequireCf(CfAccess.Admin).Unguarded("platform-wide: stacks and buildpacks belong to no org");
        routes.MapGet("/v3/buildpacks/{guid}", async (string guid, HttpContext http, IGrainFactory grains, PlatformCatalog platform, BaseUrl baseUrl) =>
            TypedResults.Ok(V3Buildpack.From(await Buildpack(grains, guid).GetAsync(), platform, baseUrl.Of(http))))
            .Unguarded("platform-wide: stacks and buildpacks belong to no org");
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

    /// <summary>How long <c>PUT /v2/buildpacks/:guid/bits</c> waits for its upload job (v2's answer is the buildpack).</summary>
    private static readonly TimeSpan BuildpackUploadWait = TimeSpan.FromSeconds(25);

    /// <summary>
    /// <c>PUT /v2/buildpacks/:guid/bits</c> (cf v6 <c>create-buildpack</c>, <c>update-buildpack -p</c>): the zip in part
    /// <c>buildpack</c>, streamed to the uploads container (bounded like app bits), stored by an upload job (it checks
    /// the zip, stores the buildpack's blob, then records the filename), answered with the buildpack once it is done.
    /// </summary>
    private static async Task<IResult> UploadBuildpackBitsV2Async(
        string guid, HttpContext http, IGrainFactory grains, BitsContainers containers, IOptions<BitsOptions> options)
    {
        var job = await StartBuildpackUploadAsync(guid, "buildpack", http, grains, containers, options.Value);
        var ended = await Settle.UntilAsync(() => grains.GetGrain<IJobGrain>(job).FindAsync(), j => j?.Status is JobStatus.Finished or JobStatus.Failed,
            BuildpackUploadWait, http.RequestAborted);
        if (ended is { Status: JobStatus.Failed, Error: { } error })
        {
            throw new CloudControllerException(error.Code, error.Description);
        }

        var resource = BuildpackEntity.Resource(await Buildpack(grains, guid).GetAsync());
        return TypedResults.Created(resource.Metadata.Url, resource);
    }

    /// <summary><c>POST /v3/buildpacks/:guid/upload</c> (cf v7 <c>create-buildpack</c>): part <c>bits</c>; 202 with the upload job.</summary>
    private static async Task<IResult> UploadBuildpackBitsV3Async(
        string guid, HttpContext http, IGrainFactory grains, BitsContainers containers, IOptions<BitsOptions> options) =>
        JobsEndpoints.Accepted(http, await StartBuildpackUploadAsync(guid, "bits", http, grains, containers, options.Value));

    private static async Task<Guid> StartBuildpackUploadAsync(string guid, string part, HttpContext http, IGrainFactory grains, BitsContainers containers, BitsOptions options)
    {
        var buildpack = await Buildpack(grains, guid).GetAsync();
        var upload = await new MultipartBitsReader(containers, options).ReadAsync(http.Request, part, resourcesRequired: false, http.RequestAborted);
        var job = await GrainInterfaces.Hosting.NewGrain.CallAsync(grains.GetGrain<IJobGrain>(Guid.NewGuid()),
            j => j.EnqueueAsync(JobWork.UploadBuildpack(buildpack.Guid, upload.UploadId, http.CfUser()!.UserId), []));
        return job.Guid;
    }

    /// <summary><c>POST /v3/buildpacks</c>: an admin buildpack, AWAITING_UPLOAD until its bits come.</summary>
    private static async Task<IResult> CreateV3BuildpackAsync(HttpContext http, IGrainFactory grains, PlatformCatalog platform, BaseUrl baseUrl)
    {
        var body = await JsonBody.ReadObjectAsync(http.Request, JsonFieldErrors.V3);
        var command = new CreateBuildpack(
            body.RequiredString("name"), body.OptionalInt("position") ?? 1, body.OptionalBool("enabled") ?? true, body.OptionalBool("locked") ?? false);
        var created = await grains.GetGrain<IBuildpackGrain>(Guid.NewGuid()).CreateAsync(command);
        return TypedResults.Json(V3Buildpack.From(created, platform, baseUrl.Of(http)), CfJson.Options, statusCode: StatusCodes.Status201Created);
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

    private static Ok<V3Page<V3Stack>> ListV3Stacks(HttpContext http, PlatformCatalog platform, BaseUrl baseUrl)
    {
        var query = V3ListQuery.Parse(http.Request.Query, ["names"]);
        var names = query.ValuesOf("names");
        var matching = platform.Stacks.Where(s => names.IsDefaultOrEmpty || names.Contains(s.Name, StringComparer.OrdinalIgnoreCase)).ToList();
        if (query.Window.Order == ListOrder.Name)
        {
            matching.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        }

        if (query.Window.Descending)
        {
            matching.Reverse();
        }

        var url = baseUrl.Of(http);
        return TypedResults.Ok(V3Page<V3Stack>.Create(url, http.Request.Path, query, matching.Count,
            [.. matching.Skip((query.Page - 1) * query.PerPage).Take(query.PerPage).Select(s => V3Stack.From(s, platform, url))]));
    }

    /// <summary>v3 buildpacks, by position unless another order is asked (the cf CLI asks <c>order_by=position</c>).</summary>
    private static async Task<Ok<V3Page<V3Buildpack>>> ListV3BuildpacksAsync(HttpContext http, IGrainFactory grains, PlatformCatalog platform, BaseUrl baseUrl)
    {
        var query = V3ListQuery.Parse(http.Request.Query, ["names", "stacks"], ["position"]);
        var stacks = query.ValuesOf("stacks");
        var all = (await grains.Lists().BuildpacksAsync(new ListFilter { Names = query.ValuesOf("names") }, ListWindow.All)).Items
            .Where(_ => stacks.IsDefaultOrEmpty || stacks.Contains(platform.DefaultStack.Name));
        IEnumerable<BuildpackSnapshot> ordered = query.OrderField switch
        {
            "name" => all.OrderBy(b => b.Name, StringComparer.Ordinal),
            "created_at" => all.OrderBy(b => b.CreatedAt).ThenBy(b => b.Guid),
            "updated_at" => all.OrderBy(b => b.UpdatedAt ?? b.CreatedAt).ThenBy(b => b.Guid),
            _ => all.OrderBy(b => b.Position).ThenBy(b => b.CreatedAt),
        };
        var list = ordered.ToList();
        if (query.OrderByText?.StartsWith('-') == true)
        {
            list.Reverse();
        }

        var url = baseUrl.Of(http);
        return TypedResults.Ok(V3Page<V3Buildpack>.Create(url, http.Request.Path, query, list.Count,
            [.. list.Skip((query.Page - 1) * query.PerPage).Take(query.PerPage).Select(b => V3Buildpack.From(b, platform, url))]));
    }

    private static CloudControllerException V3StackNotFound() => new(CfErrorCode.ResourceNotFound, "Stack not found");

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

internal sealed record V3Stack(
    Guid Guid, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Name, string Description, string? BuildRootfsImage, string? RunRootfsImage,
    bool Default, V3Metadata Metadata, IReadOnlyDictionary<string, Link> Links)
{
    public static V3Stack From(Stack stack, PlatformCatalog platform, string baseUrl) => new(
        stack.Guid, stack.CreatedAt, stack.CreatedAt, stack.Name, stack.Description, stack.Name, stack.Name, stack.Guid == platform.DefaultStack.Guid,
        V3Metadata.Empty, new Dictionary<string, Link> { ["self"] = new($"{baseUrl}/v3/stacks/{stack.Guid}") });
}

internal sealed record V3Buildpack(
    Guid Guid, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Name, string? Stack, string State, string? Filename, int Position,
    bool Enabled, bool Locked, V3Metadata Metadata, IReadOnlyDictionary<string, Link> Links)
{
    public static V3Buildpack From(BuildpackSnapshot buildpack, PlatformCatalog platform, string baseUrl) => new(
        buildpack.Guid, buildpack.CreatedAt, buildpack.UpdatedAt ?? buildpack.CreatedAt, buildpack.Name, platform.DefaultStack.Name,
        buildpack.Filename is null ? "AWAITING_UPLOAD" : "READY", buildpack.Filename, buildpack.Position, buildpack.Enabled, buildpack.Locked,
        V3Metadata.Empty, new Dictionary<string, Link>
        {
            ["self"] = new($"{baseUrl}/v3/buildpacks/{buildpack.Guid}"),
            ["upload"] = new($"{baseUrl}/v3/buildpacks/{buildpack.Guid}/upload", "POST"),
        });
}
