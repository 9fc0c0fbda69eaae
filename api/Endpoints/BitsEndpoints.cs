using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using CloudController.Api.Auth;
using CloudController.Api.Bits;
using CloudController.Api.Json;
using CloudController.Api.Resources;
using CloudController.GrainInterfaces.Access;
using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Bits;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Events;
using CloudController.GrainInterfaces.Hosting;
using CloudController.GrainInterfaces.Jobs;
using CloudController.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace CloudController.Api.Endpoints;

/// <summary>v2 bits: upload (sync or async job), resource matching, download, copy_bits, and job status.</summary>
internal static class BitsEndpoints
{
    private static readonly TimeSpan SyncPoll = TimeSpan.FromMilliseconds(100);

    public static IEndpointRouteBuilder MapBits(this IEndpointRouteBuilder routes)
    {
        routes.MapPut("/v2/apps/{guid}/bits", UploadAsync).DisableAntiforgery().Guard(AccessKind.App, AccessNeed.Develop);
        routes.MapPut("/v2/resource_match", ResourceMatchAsync).Unguarded("answers which fingerprints the shared cache holds; names no resource");
        routes.MapPost("/v3/resource_matches", ResourceMatchesV3Async).Unguarded("answers which fingerprints the shared cache holds; names no resource");
        routes.MapGet("/v2/apps/{guid}/download", DownloadAsync).Guard(AccessKind.App, AccessNeed.Develop);
        routes.MapPost("/v2/apps/{guid}/copy_bits", CopyBitsAsync).Guard(AccessKind.App, AccessNeed.Develop);
        routes.MapGet("/v2/jobs/{guid}", GetJobAsync).Guard(AccessKind.Job, AccessNeed.Read);
        return routes;
    }

    private static async Task<IResult> UploadAsync(
        string guid, HttpContext http, IGrainFactory grains, BitsContainers containers, IOptions<BitsOptions> options)
    {
        var app = App(grains, guid);
        var snapshot = await app.GetAsync();
        var appGuid = snapshot.Guid;
        await FeatureFlagsEndpoints.RequireAsync(http, grains, GrainInterfaces.Config.FeatureFlags.AppBitsUpload);
        AllowLargeBody(http, options.Value);

        var upload = await new MultipartBitsReader(containers, options.Value).ReadAsync(http.Request, "application", resourcesRequired: true, http.RequestAborted);
        var isAsync = http.Request.Query["async"] == "true" || upload.AsyncField == "true";
        var jobGuid = Guid.NewGuid();
        var uploaded = AppEvent("audit.app.upload-bits", snapshot, await OrganizationOfAsync(grains, snapshot));
        var job = await NewGrain.CallAsync(grains.GetGrain<IJobGrain>(jobGuid),
            job => job.EnqueueAsync(JobWork.Upload(appGuid, upload.UploadId, upload.HasApplication, http.CfUser()!.UserId), [uploaded]));
        if (isAsync)
        {
            return JobCreated(job);
        }

        await WaitAsync(grains.GetGrain<IJobGrain>(jobGuid), options.Value.SyncUploadTimeout, http.RequestAborted);
        return TypedResults.Json(new Dictionary<string, object>(), CfJson.Options, statusCode: 201);
    }

    /// <summary>Lifts Kestrel's default body limit for bits routes; the reader enforces <see cref="BitsOptions.MaxUploadSize"/> itself.</summary>
    internal static void AllowLargeBody(HttpContext http, BitsOptions options)
    {
        if (http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = options.MaxUploadSize;
        }
    }

    /// <summary>At most this many fingerprints per resource match (CF's v3 limit): each costs a storage request.</summary>
    public const int MaxResourceMatch = 5000;

    /// <summary>
    /// The subset of fingerprints whose content the cache holds (strict size bounds, as CF), in request order. A request
    /// naming more than <see cref="MaxResourceMatch"/> is refused before any is looked up (its body is bounded too).
    /// </summary>
    private static async Task<JsonHttpResult<List<JsonElement>>> ResourceMatchAsync(
        HttpContext http, BitsContainers containers, IOptions<BitsOptions> options)
    {
        var body = await JsonBody.ReadAsync(http.Request, maxBytes: 4L * 1024 * 1024);
        if (body.ValueKind != JsonValueKind.Array)
        {
            throw CloudControllerException.Unprocessable("The request is semantically invalid: must be an array.");
        }

        if (body.GetArrayLength() > MaxResourceMatch)
        {
            throw CloudControllerException.Unprocessable($"Resources array must have at most {MaxResourceMatch} resources");
        }

        return TypedResults.Json(await MatchedAsync(containers, [.. body.EnumerateArray()], V2Fingerprint, options.Value, http.RequestAborted), CfJson.Options);
    }

    /// <summary>
    /// <c>POST /v3/resource_matches {"resources": [{path, mode, checksum: {value}, size_in_bytes}]}</c>: 201 with the
    /// entries the cache holds, 1 to 5,000 per request as CC.
    /// </summary>
    private static async Task<IResult> ResourceMatchesV3Async(HttpContext http, BitsContainers containers, IOptions<BitsOptions> options)
    {
        var body = await JsonBody.ReadAsync(http.Request, maxBytes: 4L * 1024 * 1024);
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("resources", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            throw CloudControllerException.Unprocessable("Resources must be an array");
        }

        var count = list.GetArrayLength();
        if (count is 0 or > MaxResourceMatch)
        {
            throw CloudControllerException.Unprocessable(count == 0
                ? "Resources array must have at least 1 resource"
                : $"Resources array must have at most {MaxResourceMatch} resources");
        }

        var matched = await MatchedAsync(containers, [.. list.EnumerateArray()], V3Fingerprint, options.Value, http.RequestAborted);
        return TypedResults.Json(new Dictionary<string, object> { ["resources"] = matched }, CfJson.Options, statusCode: StatusCodes.Status201Created);
    }

    /// <summary>The entries whose blob the resource cache holds (only eligible sizes are looked up), 16 lookups at a time.</summary>
    private static async Task<List<JsonElement>> MatchedAsync(
        BitsContainers containers, List<JsonElement> entries, Func<JsonElement, (JsonElement Sha1, JsonElement Size)?> fingerprint, BitsOptions options,
        CancellationToken cancellationToken)
    {
        var resources = await containers.GetAsync(BlobContainers.Resources);
        var matched = new bool[entries.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, entries.Count), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken },
            async (i, ct) => matched[i] = fingerprint(entries[i]) is { } f && Eligible(f.Sha1, f.Size, options, out var sha1)
                && (await resources.GetBlobClient(BitsBlobNames.Resource(sha1)).ExistsAsync(ct)).Value);
        return [.. entries.Where((_, i) => matched[i])];
    }

    private static (JsonElement, JsonElement)? V2Fingerprint(JsonElement entry) =>
        entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("sha1", out var sha1) && entry.TryGetProperty("size", out var size) ? (sha1, size) : null;

    private static (JsonElement, JsonElement)? V3Fingerprint(JsonElement entry) =>
        entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("checksum", out var checksum) && checksum.ValueKind == JsonValueKind.Object
            && checksum.TryGetProperty("value", out var sha1) && entry.TryGetProperty("size_in_bytes", out var size)
            ? (sha1, size)
            : null;

    private static async Task<IResult> DownloadAsync(string guid, IGrainFactory grains, BitsContainers containers, CancellationToken cancellationToken)
    {
        var app = await App(grains, guid).GetAsync();
        var package = app.Package ?? throw PackageNotFound(app.Guid);
        var blob = (await containers.GetAsync(BlobContainers.Packages)).GetBlobClient(BitsBlobNames.Package(package.PackageGuid));
        try
        {
            var download = await blob.DownloadStreamingAsync(cancellationToken: cancellationToken);
            return TypedResults.Stream(download.Value.Content, "application/zip", $"{app.Name}.zip");
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw PackageNotFound(app.Guid);
        }
    }

    private static async Task<IResult> CopyBitsAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var destination = await App(grains, guid).GetAsync();
        var body = await JsonBody.ReadAsync(http.Request, emptyIsObject: true);
        var sourceText = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("source_app_guid", out var s) && s.ValueKind == JsonValueKind.String
            ? s.GetString()!
            : throw new CloudControllerException(CfErrorCode.AppBitsCopyInvalid, "The app copy is invalid: missing source_app_guid");
        var sourceGrain = App(grains, sourceText);
        // Copying reads the source's bits: the caller must be a developer there too.
        await http.RequireAsync(AccessKind.App, sourceGrain.GetPrimaryKey(), AccessNeed.Develop);
        var source = await sourceGrain.GetAsync();
        JsonObject Copied() => new() { ["source_app_guid"] = source.Guid, ["destination_app_guid"] = destination.Guid };
        AuditEvent[] events =
        [
            AppEvent("audit.app.copy-bits", destination, await OrganizationOfAsync(grains, destination), Copied()),
            AppEvent("audit.app.copy-bits", source, await OrganizationOfAsync(grains, source), Copied()),
        ];
        var job = await NewGrain.CallAsync(grains.GetGrain<IJobGrain>(Guid.NewGuid()),
            job => job.EnqueueAsync(JobWork.CopyBits(destination.Guid, source.Guid, http.CfUser()!.UserId), [.. events]));
        return JobCreated(job);
    }

    /// <summary>An app event of this request, which the job stores with itself (its outbox) when it is enqueued.</summary>
    private static AuditEvent AppEvent(string type, AppSnapshot app, Guid? organization, JsonObject? extra = null) =>
        AuditEvents.Of(type, new AuditActee(app.Guid, "app", app.Name, app.SpaceGuid, organization), DateTimeOffset.UtcNow, withRequest: false, extra);

    private static Task<Guid?> OrganizationOfAsync(IGrainFactory grains, AppSnapshot app) =>
        grains.GetGrain<GrainInterfaces.Spaces.ISpaceGrain>(app.SpaceGuid).OrganizationAsync();

    private static async Task<Ok<V2Job>> GetJobAsync(string guid, IGrainFactory grains) =>
        TypedResults.Ok(V2Job.From(RouteGuid.TryParse(guid, out var g) ? await grains.GetGrain<IJobGrain>(g).FindAsync() : null));

    /// <summary>201 with the queued job and, beyond CF, a Location header to poll.</summary>
    private static Created<V2Job> JobCreated(JobSnapshot job)
    {
        var resource = V2Job.From(job);
        return TypedResults.Created(resource.Metadata.Url, resource);
    }

    private static async Task WaitAsync(IJobGrain job, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = TimeProvider.System.GetTimestamp();
        while (true)
        {
            var snapshot = await job.FindAsync();
            if (snapshot is { Status: JobStatus.Failed, Error: { } error })
            {
                throw new CloudControllerException(error.Code, error.Description);
            }

            if (snapshot is { Status: JobStatus.Finished })
            {
                return;
            }

            if (TimeProvider.System.GetElapsedTime(deadline) > timeout)
            {
                throw new CloudControllerException(CfErrorCode.ServiceUnavailable, "The upload is still being processed; poll its app's package_state.");
            }

            await Task.Delay(SyncPoll, cancellationToken);
        }
    }

    private static bool Eligible(JsonElement hash, JsonElement size, BitsOptions options, out string sha1)
    {
        sha1 = "";
        if (hash.ValueKind != JsonValueKind.String || !size.TryGetInt64(out var bytes))
        {
            return false;
        }

        sha1 = hash.GetString()!;
        return sha1.Length == 40 && sha1.All(char.IsAsciiHexDigit)
            && bytes > options.ResourceMinimumSize && bytes < options.ResourceMaximumSize;
    }

    private static IAppGrain App(IGrainFactory grains, string guid) =>
        grains.GetGrain<IAppGrain>(RouteGuid.Parse(guid, CloudControllerException.AppNotFound));

    private static CloudControllerException PackageNotFound(Guid app) =>
        new(CfErrorCode.AppPackageNotFound, $"The app package could not be found: {app}");
}
