using System.Text.Json;
using CloudController.Api.Auth;
using CloudController.Api.Hosting;
using CloudController.Api.Json;
using CloudController.Api.Paging;
using CloudController.Api.Platform;
using CloudController.Api.Resources;
using CloudController.GrainInterfaces.Lists;
using CloudController.GrainInterfaces.Access;
using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Droplets;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Hosting;
using CloudController.GrainInterfaces.Packages;
using CloudController.GrainInterfaces.Bits;
using CloudController.GrainInterfaces.Jobs;
using CloudController.Api.Bits;
using CloudController.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace CloudController.Api.Endpoints;

/// <summary>v3 staging: droplets (2016 route), builds (current route) and the app's current droplet, on the v2 stager.</summary>
internal static class DropletsEndpoints
{
    private static readonly string[] StageFields = ["environment_variables", "lifecycle", "memory_limit", "disk_limit"];
    private static readonly string[] BuildFields = ["package", "lifecycle"];
    private static readonly string[] Filters = ["guids", "app_guids", "states"];

    public static IEndpointRouteBuilder MapDroplets(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v3/packages/{guid}/droplets", StageAsync).Guard(AccessKind.Package, AccessNeed.Develop);
        routes.MapGet("/v3/packages/{guid}/droplets", ListForPackageAsync).Guard(AccessKind.Package, AccessNeed.Read);
        routes.MapGet("/v3/apps/{guid}/droplets", ListForAppAsync).Guard(AccessKind.App, AccessNeed.Read);
        routes.MapPut("/v3/apps/{guid}/current_droplet", SetCurrentAsync).Guard(AccessKind.App, AccessNeed.Develop);
        routes.MapGet("/v3/droplets", ListAsync).Unguarded("lists the caller's apps' droplets only");
        routes.MapPost("/v3/droplets", CreateAsync).Unguarded("checks the source droplet and the body's app");
        routes.MapPost("/v3/droplets/{guid}/upload", UploadAsync).Guard(AccessKind.Droplet, AccessNeed.Develop);
        routes.MapGet("/v3/droplets/{guid}/download", DownloadAsync).Guard(AccessKind.Droplet, AccessNeed.Develop);
        routes.MapGet("/v3/droplets/{guid}", GetAsync).Guard(AccessKind.Droplet, AccessNeed.Read);
        routes.MapDelete("/v3/droplets/{guid}", DeleteAsync).Guard(AccessKind.Droplet, AccessNeed.Develop);
        routes.MapPost("/v3/builds", BuildAsync).Unguarded("checks the body's package");
        routes.MapGet("/v3/builds/{guid}", GetBuildAsync).Guard(AccessKind.Build, AccessNeed.Read);
        routes.MapGet("/v3/builds", ListBuildsAsync).Unguarded("lists the caller's apps' builds only");
        routes.MapGet("/v3/apps/{guid}/builds", ListBuildsForAppAsync).Guard(AccessKind.App, AccessNeed.Read);
        return routes;
    }

    private static async Task<Created<V3DropletResource>> StageAsync(string guid, HttpContext http, IGrainFactory grains, PlatformCatalog platform)
    {
        var package = await Package(grains, guid);
        var body = await JsonBody.ReadObjectAsync(http.Request, JsonFieldErrors.V3, emptyIsObject: true);
        body.AllowOnly(StageFields);
        var droplet = await StartAsync(grains, platform, package, body, body.OptionalInt("memory_limit"), body.OptionalInt("disk_limit"));
        var resource = V3DropletResource.From(droplet, platform);
        return TypedResults.Created(resource.Links["self"].Href, resource);
    }

    /// <summary>
    /// <c>POST /v3/droplets</c>: with <c>?source_guid=</c> a copy of a STAGED droplet for the app in the body's
    /// <c>relationships.app</c> (the caller reads the source and develops the target); without it an empty droplet,
    /// AWAITING_UPLOAD, whose bits come through <c>POST /v3/droplets/:guid/upload</c> (cf v7's <c>push --droplet</c>).
    /// </summary>
    private static async Task<Created<V3DropletResource>> CreateAsync(HttpContext http, IGrainFactory grains, PlatformCatalog platform)
    {
        var body = await JsonBody.ReadObjectAsync(http.Request, JsonFieldErrors.V3);
        var source = http.Request.Query["source_guid"].FirstOrDefault() is { Length: > 0 } given ? given : null;
        body.AllowOnly(source is null ? CreateFields : CopyFields);
        var app = body.Root.TryGetProperty("relationships", out var r) && r.ValueKind == JsonValueKind.Object
            && r.TryGetProperty("app", out var a) && a.ValueKind == JsonValueKind.Object
            && a.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object
            && d.TryGetProperty("guid", out var g) && g.ValueKind == JsonValueKind.String && Guid.TryParse(g.GetString(), out var parsed)
            ? parsed
            : throw CloudControllerException.Unprocessable("Relationships 'relationships' must include one or more valid relationships");
        DropletSnapshot created;
        if (source is null)
        {
            var types = ProcessTypes(body);
            await http.RequireAsync(AccessKind.App, app, AccessNeed.Develop);
            await grains.GetGrain<IAppGrain>(app).GetAsync();
            created = await NewGrain.CallAsync(grains.GetGrain<IDropletGrain>(Guid.NewGuid()), grain => grain.AwaitUploadAsync(app, types));
        }
        else
        {
            var sourceGuid = RouteGuid.Parse(source, _ => CloudControllerException.DropletNotFound());
            await http.RequireAsync(AccessKind.Droplet, sourceGuid, AccessNeed.Read);
            await http.RequireAsync(AccessKind.App, app, AccessNeed.Develop);
            var original = await Droplet(grains, source);
            await grains.GetGrain<IAppGrain>(app).GetAsync();
            created = await NewGrain.CallAsync(grains.GetGrain<IDropletGrain>(Guid.NewGuid()), grain => grain.CopyAsync(original, app));
        }

        var resource = V3DropletResource.From(created, platform);
        return TypedResults.Created(resource.Links["self"].Href, resource);
    }

    /// <summary><c>process_types</c> of an uploaded droplet: an object of at most 64 names to commands (CC's default is <c>web</c> with no command).</summary>
    private static System.Collections.Immutable.ImmutableDictionary<string, string> ProcessTypes(JsonFields body)
    {
        var types = System.Collections.Immutable.ImmutableDictionary<string, string>.Empty;
        if (!body.Root.TryGetProperty("process_types", out var given) || given.ValueKind == JsonValueKind.Null)
        {
            return types.Add("web", "");
        }

        if (given.ValueKind != JsonValueKind.Object)
        {
            throw CloudControllerException.Unprocessable("Process types must be an object");
        }

        foreach (var type in given.EnumerateObject())
        {
            if (type.Value.ValueKind != JsonValueKind.String || type.Name.Length is 0 or > 255 || type.Value.GetString()!.Length > 4096)
            {
                throw CloudControllerException.Unprocessable("Process types must map names (at most 255 characters) to commands (at most 4096 characters)");
            }

            types = types.SetItem(type.Name, type.Value.GetString()!);
            if (types.Count > MaxUploadedProcessTypes)
            {
                throw CloudControllerException.Unprocessable($"Process types may name at most {MaxUploadedProcessTypes} processes");
            }
        }

        return types.ContainsKey("web") ? types : types.Add("web", "");
    }

    private const int MaxUploadedProcessTypes = 64;

    private static readonly string[] CreateFields = ["relationships", "process_types"];

    /// <summary>
    /// <c>POST /v3/droplets/:guid/upload</c>, part <c>bits</c> (a <c>.tgz</c>): streamed to the uploads container,
    /// the droplet PROCESSING_UPLOAD, then a <c>droplet.upload</c> job stores it. 202 with the droplet and the job's
    /// <c>Location</c>.
    /// </summary>
    private static async Task<IResult> UploadAsync(
        string guid, HttpContext http, IGrainFactory grains, PlatformCatalog platform, BitsContainers containers, IOptions<BitsOptions> options)
    {
        var grain = grains.GetGrain<IDropletGrain>(RouteGuid.Parse(guid, _ => CloudControllerException.DropletNotFound()));
        var droplet = await grain.FindAsync() ?? throw CloudControllerException.DropletNotFound();
        if (!droplet.AcceptsUpload)
        {
            throw CloudControllerException.Unprocessable("Droplet bits may only be uploaded to a droplet in state AWAITING_UPLOAD.");
        }

        var reader = new MultipartBitsReader(containers, options.Value);
        var upload = await reader.ReadAsync(http.Request, "bits", resourcesRequired: false, http.RequestAborted);
        DropletSnapshot processing;
        try
        {
            processing = await grain.ProcessUploadAsync();
        }
        catch
        {
            // Another upload took the droplet first: this one is nobody's.
            await reader.DiscardAsync(upload.UploadId);
            throw;
        }

        JobSnapshot job;
        try
        {
            job = await NewGrain.CallAsync(grains.GetGrain<IJobGrain>(Guid.NewGuid()),
                j => j.EnqueueAsync(JobWork.UploadDroplet(droplet.Guid, upload.UploadId, http.CfUser()!.UserId), []));
        }
        catch
        {
            // No job will process it: the droplet fails (and so takes another upload) rather than process forever.
            await grain.UploadProcessedAsync(UploadedDroplet.Invalid("The droplet upload could not be queued; upload it again"));
            await reader.DiscardAsync(upload.UploadId);
            throw;
        }

        http.Response.Headers.Location = $"{http.BaseUrlOf()}/v3/jobs/{job.Guid}";
        return TypedResults.Json(V3DropletResource.From(processing, platform), CfJson.Options, statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary><c>GET /v3/droplets/:guid/download</c>: the STAGED droplet as a gzipped tarball, converted from the stored zip as it streams.</summary>
    private static async Task DownloadAsync(string guid, HttpContext http, IGrainFactory grains, BitsContainers containers)
    {
        var droplet = await Droplet(grains, guid);
        if (droplet is not { State: DropletState.Staged })
        {
            throw CloudControllerException.Unprocessable("Only staged droplets can be downloaded.");
        }

        var blob = (await containers.GetAsync(BlobContainers.Droplets)).GetBlobClient(BitsBlobNames.Droplet(droplet.Guid));
        Stream zip;
        try
        {
            zip = await blob.OpenReadAsync(cancellationToken: http.RequestAborted);
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            throw CloudControllerException.Unprocessable("The droplet's bits are gone.");
        }

        await using (zip)
        {
            http.Response.ContentType = "application/gzip";
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"droplet_{droplet.Guid}.tgz\"";
            await DropletArchive.WriteTarballAsync(zip, http.Response.Body, http.RequestAborted);
        }
    }

    private static readonly string[] CopyFields = ["relationships"];

    private static async Task<Created<V3BuildResource>> BuildAsync(HttpContext http, IGrainFactory grains, PlatformCatalog platform)
    {
        var body = await JsonBody.ReadObjectAsync(http.Request, JsonFieldErrors.V3);
        body.AllowOnly(BuildFields);
        var packageGuid = body.Root.TryGetProperty("package", out var p) && p.ValueKind == JsonValueKind.Object
            && p.TryGetProperty("guid", out var g) && g.ValueKind == JsonValueKind.String
            ? g.GetString()!
            : throw CloudControllerException.Unprocessable("Package must be {\"guid\": \"<package guid>\"}");
        if (Guid.TryParse(packageGuid, out var requested))
        {
            await http.RequireAsync(AccessKind.Package, requested, AccessNeed.Develop);
        }

        DropletSnapshot droplet;
        try
        {
            droplet = await StartAsync(grains, platform, await Package(grains, packageGuid), body, null, null);
        }
        catch (CloudControllerException e) when (e.Code == CfErrorCode.InvalidRequest)
        {
            // Today's CC words it as a BadRequest, which the cf CLI matches.
            throw new CloudControllerException(CfErrorCode.BadRequest, $"Bad request: {e.Message}");
        }

        // Answered STAGING without waiting: cf push streams the staging logs only while its first look sees STAGING.
        var resource = V3BuildResource.From(droplet, platform);
        return TypedResults.Created(resource.Links["self"].Href, resource);
    }

    /// <summary>Stages a READY bits package: the app's staging slot first (StagingInProgress), then the droplet grain.</summary>
    private static async Task<DropletSnapshot> StartAsync(
        IGrainFactory grains, PlatformCatalog platform, PackageSnapshot package, JsonFields body, int? memory, int? disk)
    {
        if (package.Type != PackageType.Bits)
        {
            throw new CloudControllerException(CfErrorCode.FeatureDisabled, "Feature Disabled: diego_docker");
        }

        if (package is not { State: PackageState.Ready, Bits: { } bits })
        {
            throw new CloudControllerException(CfErrorCode.InvalidRequest, "Cannot stage package whose state is not ready.");
        }

        var app = await grains.GetGrain<IAppGrain>(package.AppGuid).GetAsync();
        var (buildpack, stack) = await LifecycleAsync(body, grains, platform, app);
        var environment = body.Root.TryGetProperty("environment_variables", out var env) && env.ValueKind != JsonValueKind.Null
            ? env.ValueKind == JsonValueKind.Object ? env.GetRawText() : throw CloudControllerException.Unprocessable("Environment variables must be a hash")
            : "{}";
        var request = new StagingRequest(app.Guid, bits, buildpack, stack, SetsCurrentDroplet: false,
            MemoryLimit: Math.Max(memory ?? 1024, 1024), DiskLimit: Math.Clamp(disk ?? 4096, 4096, 4096), EnvironmentVariables: environment);
        var dropletGuid = Guid.NewGuid();
        await grains.GetGrain<IAppGrain>(app.Guid).ReserveStagingAsync(dropletGuid);
        return await NewGrain.CallAsync(grains.GetGrain<IDropletGrain>(dropletGuid), droplet => droplet.StageAsync(request));
    }

    /// <summary>Explicit <c>buildpack: null</c> detects; an omitted buildpack is the app's.</summary>
    private static async Task<(string? Buildpack, Guid Stack)> LifecycleAsync(JsonFields body, IGrainFactory grains, PlatformCatalog platform, AppSnapshot app)
    {
        if (!body.Root.TryGetProperty("lifecycle", out var lifecycle) || lifecycle.ValueKind == JsonValueKind.Null)
        {
            return (app.Buildpack, app.StackGuid);
        }

        if (lifecycle.ValueKind != JsonValueKind.Object || !lifecycle.TryGetProperty("type", out var type) || type.GetString() != "buildpack"
            || !lifecycle.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
        {
            throw CloudControllerException.Unprocessable("Lifecycle must be {\"type\": \"buildpack\", \"data\": {...}}");
        }

        var fields = new JsonFields(data, JsonFieldErrors.V3);
        fields.AllowOnly("buildpack", "stack");
        var buildpack = data.TryGetProperty("buildpack", out _) ? fields.OptionalString("buildpack") : app.Buildpack;
        if (buildpack is not null && !await BuildpackNames.IsValidAsync(grains, buildpack))
        {
            throw CloudControllerException.Unprocessable("Lifecycle buildpack must be an existing admin buildpack or a valid git URI");
        }

        var stackName = fields.OptionalString("stack");
        var stack = stackName is null ? app.StackGuid : platform.Stacks.FirstOrDefault(s => s.Name == stackName)?.Guid
            ?? throw CloudControllerException.Unprocessable($"Lifecycle stack '{stackName}' does not exist");
        return (buildpack, stack);
    }

    private static async Task<Ok<V3AppResource>> SetCurrentAsync(string guid, HttpContext http, IGrainFactory grains, PlatformCatalog platform)
    {
        var app = grains.GetGrain<IAppGrain>(RouteGuid.Parse(guid, CloudControllerException.AppNotFound));
        await app.GetAsync();
        var body = await JsonBody.ReadObjectAsync(http.Request, JsonFieldErrors.V3);
        body.AllowOnly("droplet_guid");
        var droplet = await Droplet(grains, body.RequiredString("droplet_guid"));
        return TypedResults.Ok(V3AppResource.From(await app.SetCurrentDropletAsync(droplet, whileStarted: false), platform, http.BaseUrlOf()));
    }

    private static async Task<Ok<V3DropletResource>> GetAsync(string guid, IGrainFactory grains, PlatformCatalog platform) =>
        TypedResults.Ok(V3DropletResource.From(await Droplet(grains, guid), platform));

    private static async Task<Ok<V3BuildResource>> GetBuildAsync(string guid, IGrainFactory grains, PlatformCatalog platform)
    {
        var droplet = RouteGuid.TryParse(guid, out var g) ? await grains.GetGrain<IDropletGrain>(g).FindAsync() : null;
        return TypedResults.Ok(V3BuildResource.From(droplet ?? throw new CloudControllerException(CfErrorCode.ResourceNotFound, "Build not found"), platform));
    }

    /// <summary>Builds are the stagings of droplets (one guid for both): listed from the droplet index, in build shape.</summary>
    private static Task<Ok<V3Page<V3BuildResource>>> ListBuildsAsync(HttpContext http, IGrainFactory grains, PlatformCatalog platform)
    {
        var query = V3ListQuery.Parse(http.Request.Query, ["states", "app_guids", "package_guids", "guids", "label_selector"]);
        return BuildPageAsync(http, grains, platform, query, query.GuidsOf("app_guids"));
    }

    private static async Task<Ok<V3Page<V3BuildResource>>> ListBuildsForAppAsync(string guid, HttpContext http, IGrainFactory grains, PlatformCatalog platform)
    {
        var app = await grains.GetGrain<IAppGrain>(RouteGuid.Parse(guid, CloudControllerException.AppNotFound)).GetAsync();
        return await BuildPageAsync(http, grains, platform, V3ListQuery.Parse(http.Request.Query, ["states", "package_guids", "guids", "label_selector"]), [app.Guid]);
    }

    private static async Task<Ok<V3Page<V3BuildResource>>> BuildPageAsync(
        HttpContext http, IGrainFactory grains, PlatformCatalog platform, V3ListQuery query, System.Collections.Immutable.ImmutableArray<Guid> apps)
    {
        var page = await grains.Lists().DropletsAsync(http.ListCaller(), new ListFilter
        {
            AppGuids = apps,
            PackageGuids = query.GuidsOf("package_guids"),
            Guids = query.GuidsOf("guids"),
            States = query.ValuesOf("states"),
        }, query.Window);
        return TypedResults.Ok(V3Page<V3BuildResource>.Create(http.BaseUrlOf(), http.Request.Path, query, page.TotalResults,
            [.. page.Items.Select(d => V3BuildResource.From(d, platform))]));
    }

    private static async Task<NoContent> DeleteAsync(string guid, IGrainFactory grains)
    {
        await grains.GetGrain<IDropletGrain>(RouteGuid.Parse(guid, _ => CloudControllerException.DropletNotFound())).DeleteAsync();
        return TypedResults.NoContent();
    }

    private static Task<Ok<V3Page<V3DropletResource>>> ListAsync(HttpContext http, IGrainFactory grains, PlatformCatalog platform)
    {
        var query = V3ListQuery.Parse(http.Request.Query, Filters);
        return PageAsync(http, grains, platform, query, new ListFilter { AppGuids = query.GuidsOf("app_guids") });
    }

    private static async Task<Ok<V3Page<V3DropletResource>>> ListForAppAsync(string guid, HttpContext http, IGrainFactory grains, PlatformCatalog platform)
    {
        var app = await grains.GetGrain<IAppGrain>(RouteGuid.Parse(guid, CloudControllerException.AppNotFound)).GetAsync();
        return await PageAsync(http, grains, platform, V3ListQuery.Parse(http.Request.Query, ["states"]), new ListFilter { AppGuids = [app.Guid] });
    }

    private static async Task<Ok<V3Page<V3DropletResource>>> ListForPackageAsync(string guid, HttpContext http, IGrainFactory grains, PlatformCatalog platform)
    {
        var package = await Package(grains, guid);
        return await PageAsync(http, grains, platform, V3ListQuery.Parse(http.Request.Query, ["states"]),
            new ListFilter { AppGuids = [package.AppGuid], PackageGuids = [package.Guid] });
    }

    /// <summary>State and package filters are index tags in the silo: a page costs its own grain calls, whatever the app's total.</summary>
    private static async Task<Ok<V3Page<V3DropletResource>>> PageAsync(
        HttpContext http, IGrainFactory grains, PlatformCatalog platform, V3ListQuery query, ListFilter filter)
    {
        var page = await grains.Lists().DropletsAsync(
            http.ListCaller(), filter with { Guids = query.GuidsOf("guids"), States = query.ValuesOf("states") }, query.Window);
        return TypedResults.Ok(V3Page<V3DropletResource>.Create(http.BaseUrlOf(), http.Request.Path, query, page.TotalResults, [.. page.Items.Select(d => V3DropletResource.From(d, platform))]));
    }

    private static async Task<PackageSnapshot> Package(IGrainFactory grains, string guid) =>
        await grains.GetGrain<IPackageGrain>(RouteGuid.Parse(guid, _ => CloudControllerException.PackageNotFound())).FindAsync()
            ?? throw CloudControllerException.PackageNotFound();

    private static async Task<DropletSnapshot> Droplet(IGrainFactory grains, string guid) =>
        await grains.GetGrain<IDropletGrain>(RouteGuid.Parse(guid, _ => CloudControllerException.DropletNotFound())).FindAsync()
            ?? throw CloudControllerException.DropletNotFound();
}
