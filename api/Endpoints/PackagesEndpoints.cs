using CloudController.Api.Hosting;
using System.Collections.Immutable;
using System.Text.Json;
using Azure;
using CloudController.Api.Auth;
using CloudController.Api.Bits;
using CloudController.Api.Json;
using CloudController.Api.Paging;
using CloudController.Api.Resources;
using CloudController.GrainInterfaces.Lists;
using CloudController.GrainInterfaces.Access;
using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Bits;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Hosting;
using CloudController.GrainInterfaces.Packages;
using CloudController.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace CloudController.Api.Endpoints;

/// <summary>v3 packages (spec 3.3-3.4): create (bits, docker, copy), read, list, upload, download, delete.</summary>
internal static class PackagesEndpoints
{
    private static readonly string[] Filters = ["guids", "app_guids", "states", "types"];
    private static readonly string[] SeedFields = ["type", "url"];

    /// <summary>
    /// How long an upload's answer waits for its packaging (READY or FAILED) before answering PROCESSING_UPLOAD: shorter than
    /// a work attempt's timeout, so the answer never outlasts an attempt (a held build keeps the package processing).
    /// </summary>
    private static readonly TimeSpan UploadSettleBound = TimeSpan.FromSeconds(1);
    private static readonly string[] CurrentFields = ["type", "url", "relationships", "data", "metadata"];

    public static IEndpointRouteBuilder MapPackages(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v3/apps/{guid}/packages", CreateForAppAsync).Guard(AccessKind.App, AccessNeed.Develop);
        routes.MapGet("/v3/apps/{guid}/packages", ListForAppAsync).Guard(AccessKind.App, AccessNeed.Read);
        var packages = routes.MapGroup("/v3/packages");
        packages.MapPost("/", CreateAsync).Unguarded("checks the body's app");
        packages.MapGet("/", ListAsync).Unguarded("lists the caller's apps' packages only");
        packages.MapGet("/{guid}", GetAsync).Guard(AccessKind.Package, AccessNeed.Read);
        packages.MapPost("/{guid}/upload", UploadAsync).DisableAntiforgery().Guard(AccessKind.Package, AccessNeed.Develop);
        packages.MapGet("/{guid}/download", DownloadAsync).Guard(AccessKind.Package, AccessNeed.Develop);
        packages.MapDelete("/{guid}", DeleteAsync).Guard(AccessKind.Package, AccessNeed.Develop);
        return routes;
    }

    /// <summary>Seed era: <c>{"type":"bits"}</c> or <c>{"type":"docker","url":...}</c>; or <c>?source_package_guid=</c> to copy.</summary>
    private static async Task<Created<V3PackageResource>> CreateForAppAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var app = await App(grains, guid).GetAsync();
        if (http.Request.Query["source_package_guid"].ToString() is { Length: > 0 } sourceText)
        {
            var sourceGrain = Package(grains, sourceText);
            // Copying reads the source's bits: the caller must be a developer of its app too.
            await http.RequireAsync(AccessKind.Package, sourceGrain.GetPrimaryKey(), AccessNeed.Develop);
            var source = await sourceGrain.FindAsync() ?? throw CloudControllerException.PackageNotFound();
            if (source.AppGuid == app.Guid)
            {
                throw CloudControllerException.Unprocessable("Source and destination app cannot be the same");
            }

            return Created(await NewGrain.CallAsync(grains.GetGrain<IPackageGrain>(Guid.NewGuid()), package => package.CopyAsync(app.Guid, source)));
        }

        var body = await JsonBody.ReadObjectAsync(http.Request, JsonFieldErrors.V3);
        body.AllowOnly(SeedFields);
        return await CreateOfTypeAsync(grains, app.Guid, body);
    }

    /// <summary>Current era: <c>{"type":..., "relationships":{"app":{"guid":...}}}</c>.</summary>
    private static async Task<Created<V3PackageResource>> CreateAsync(HttpContext http, IGrainFactory grains)
    {
        var body = await JsonBody.ReadObjectAsync(http.Request, JsonFieldErrors.V3);
        body.AllowOnly(CurrentFields);
        // Today's relationship is {"app": {"data": {"guid"}}}; the seed era's {"app": {"guid"}} is still read.
        var appGuid = body.Root.TryGetProperty("relationships", out var r) && r.ValueKind == JsonValueKind.Object
            && r.TryGetProperty("app", out var a) && a.ValueKind == JsonValueKind.Object
            && (a.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.Object ? d : a).TryGetProperty("guid", out var g)
            && g.ValueKind == JsonValueKind.String
            ? g.GetString()!
            : throw CloudControllerException.Unprocessable("Relationships must be {\"app\": {\"guid\": \"<app guid>\"}}");
        var appGrain = App(grains, appGuid);
        await http.RequireAsync(AccessKind.App, appGrain.GetPrimaryKey(), AccessNeed.Develop);
        var app = await appGrain.FindAsync() ?? throw CloudControllerException.Unprocessable("App must exist");
        return await CreateOfTypeAsync(grains, app.Guid, body);
    }

    private static async Task<Created<V3PackageResource>> CreateOfTypeAsync(IGrainFactory grains, Guid appGuid, JsonFields body)
    {
        var type = body.OptionalString("type") switch
        {
            "bits" => PackageType.Bits,
            "docker" => PackageType.Docker,
            _ => throw CloudControllerException.Unprocessable("Type must be one of 'bits, docker'"),
        };
        var url = body.OptionalString("url");
        if (type == PackageType.Docker && string.IsNullOrWhiteSpace(url))
        {
            throw CloudControllerException.Unprocessable("Url can not be blank when type is docker");
        }

        if (type == PackageType.Bits && url is not null)
        {
            throw CloudControllerException.Unprocessable("Url must be blank when type is bits");
        }

        return Created(await NewGrain.CallAsync(grains.GetGrain<IPackageGrain>(Guid.NewGuid()), package => package.CreateAsync(appGuid, type, url)));
    }

    private static async Task<Ok<V3PackageResource>> GetAsync(string guid, IGrainFactory grains) =>
        TypedResults.Ok(V3PackageResource.From(await Existing(grains, guid)));

    private static Task<Ok<V3Page<V3PackageResource>>> ListAsync(HttpContext http, IGrainFactory grains)
    {
        var query = V3ListQuery.Parse(http.Request.Query, Filters);
        return PageAsync(http, grains, query, query.GuidsOf("app_guids"));
    }

    private static async Task<Ok<V3Page<V3PackageResource>>> ListForAppAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var app = await App(grains, guid).GetAsync();
        return await PageAsync(http, grains, V3ListQuery.Parse(http.Request.Query, ["states", "types"]), [app.Guid]);
    }

    /// <summary>State and type filters are index tags in the silo: a page costs its own grain calls, whatever the app's total.</summary>
    private static async Task<Ok<V3Page<V3PackageResource>>> PageAsync(HttpContext http, IGrainFactory grains, V3ListQuery query, ImmutableArray<Guid> apps)
    {
        var page = await grains.Lists().PackagesAsync(http.ListCaller(), new ListFilter
        {
            Guids = query.GuidsOf("guids"),
            AppGuids = apps,
            States = query.ValuesOf("states"),
            Types = query.ValuesOf("types"),
        }, query.Window);
        return TypedResults.Ok(V3Page<V3PackageResource>.Create(http.BaseUrlOf(), http.Request.Path, query, page.TotalResults, [.. page.Items.Select(V3PackageResource.From)]));
    }

    /// <summary>Multipart part <c>bits</c>, streamed to blob storage; answers PROCESSING_UPLOAD while the silo processes it.</summary>
    private static async Task<Ok<V3PackageResource>> UploadAsync(
        string guid, HttpContext http, IGrainFactory grains, BitsContainers containers, IOptions<BitsOptions> options)
    {
        var package = Package(grains, guid);
        var current = await Existing(grains, guid);
        await FeatureFlagsEndpoints.RequireAsync(http, grains, GrainInterfaces.Config.FeatureFlags.AppBitsUpload);
        if (current.Type != PackageType.Bits)
        {
            throw CloudControllerException.Unprocessable("Package type must be bits.");
        }

        if (current.State != PackageState.AwaitingUpload)
        {
            throw new CloudControllerException(CfErrorCode.PackageBitsAlreadyUploaded, "Bits may be uploaded only once. Create a new package to upload different bits.");
        }

        BitsEndpoints.AllowLargeBody(http, options.Value);
        var upload = await new MultipartBitsReader(containers, options.Value).ReadAsync(http.Request, "bits", resourcesRequired: false, http.RequestAborted);
        if (!upload.HasApplication && !upload.HasResources)
        {
            throw CloudControllerException.Unprocessable("Upload must include either resources or bits");
        }

        var processing = await package.BeginUploadAsync(upload.UploadId, upload.HasApplication);
        // Packaging usually ends within moments: answering after it (bounded) spares the client a poll.
        var settled = await Settle.UntilAsync(package.FindAsync, p => p is null || p.State != PackageState.ProcessingUpload, UploadSettleBound, http.RequestAborted);
        return TypedResults.Ok(V3PackageResource.From(settled ?? processing));
    }

    private static async Task<IResult> DownloadAsync(string guid, IGrainFactory grains, BitsContainers containers, CancellationToken cancellationToken)
    {
        var package = await Existing(grains, guid);
        if (package.Type != PackageType.Bits)
        {
            throw CloudControllerException.Unprocessable("Package type must be bits.");
        }

        var bits = package is { State: PackageState.Ready, Bits: { } b } ? b : throw CloudControllerException.Unprocessable("Package has no bits to download.");
        try
        {
            var blob = (await containers.GetAsync(BlobContainers.Packages)).GetBlobClient(BitsBlobNames.Package(bits.PackageGuid));
            return TypedResults.Stream((await blob.DownloadStreamingAsync(cancellationToken: cancellationToken)).Value.Content, "application/zip", $"{package.Guid}.zip");
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw CloudControllerException.Unprocessable("Package has no bits to download.");
        }
    }

    private static async Task<NoContent> DeleteAsync(string guid, IGrainFactory grains)
    {
        await Package(grains, guid).DeleteAsync();
        return TypedResults.NoContent();
    }

    private static Created<V3PackageResource> Created(PackageSnapshot package)
    {
        var resource = V3PackageResource.From(package);
        return TypedResults.Created(resource.Links["self"].Href, resource);
    }

    private static async Task<PackageSnapshot> Existing(IGrainFactory grains, string guid) =>
        await Package(grains, guid).FindAsync() ?? throw CloudControllerException.PackageNotFound();

    private static IPackageGrain Package(IGrainFactory grains, string guid) =>
        grains.GetGrain<IPackageGrain>(RouteGuid.Parse(guid, _ => CloudControllerException.PackageNotFound()));

    private static IAppGrain App(IGrainFactory grains, string guid) =>
        grains.GetGrain<IAppGrain>(RouteGuid.Parse(guid, CloudControllerException.AppNotFound));
}
