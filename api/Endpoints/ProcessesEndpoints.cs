using CloudController.Api.Hosting;
using System.Collections.Immutable;
using CloudController.Api.Auth;
using CloudController.Api.Paging;
using CloudController.Api.Platform;
using CloudController.Api.Resources;
using CloudController.GrainInterfaces.Lists;
using CloudController.GrainInterfaces.Access;
using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Droplets;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Processes;
using CloudController.Api.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CloudController.Api.Endpoints;

/// <summary>
/// What <c>cf push</c> and <c>cf app</c> read after the app itself, and what scales it: the app's processes (the
/// <c>web</c> process, a view of the app's own fields, and its Procfile's other types), their stats and instances,
/// and the current droplet.
/// </summary>
internal static class ProcessesEndpoints
{
    public static IEndpointRouteBuilder MapProcesses(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v3/apps/{guid}/processes", ListForAppAsync).Guard(AccessKind.App, AccessNeed.Read);
        routes.MapGet("/v3/apps/{guid}/processes/{type}", (string guid, string type, IGrainFactory grains) =>
            OfAppAsync(grains, guid, type, Show)).Guard(AccessKind.App, AccessNeed.Read);
        routes.MapGet("/v3/apps/{guid}/processes/{type}/stats", (string guid, string type, IGrainFactory grains, IConfiguration configuration, TimeProvider clock) =>
            OfAppAsync(grains, guid, type, p => StatsAsync(p, grains, configuration, clock))).Guard(AccessKind.App, AccessNeed.Read);
        routes.MapDelete("/v3/apps/{guid}/processes/{type}/instances/{index:int}", (string guid, string type, int index, IGrainFactory grains) =>
            OfAppAsync(grains, guid, type, p => StopInstanceAsync(p, index, grains))).Guard(AccessKind.App, AccessNeed.Develop);
        routes.MapPost("/v3/apps/{guid}/processes/{type}/actions/scale", (string guid, string type, HttpContext http, IGrainFactory grains) =>
            OfAppAsync(grains, guid, type, p => ScaleAsync(p, http, grains))).Guard(AccessKind.App, AccessNeed.Develop);

        routes.MapGet("/v3/processes", ListAsync).Unguarded("lists the processes of the caller's spaces only");
        routes.MapGet("/v3/processes/{guid}", (string guid, IGrainFactory grains) =>
            ByGuidAsync(grains, guid, Show)).Guard(AccessKind.Process, AccessNeed.Read);
        routes.MapGet("/v3/processes/{guid}/stats", (string guid, IGrainFactory grains, IConfiguration configuration, TimeProvider clock) =>
            ByGuidAsync(grains, guid, p => StatsAsync(p, grains, configuration, clock))).Guard(AccessKind.Process, AccessNeed.Read);
        routes.MapDelete("/v3/processes/{guid}/instances/{index:int}", (string guid, int index, IGrainFactory grains) =>
            ByGuidAsync(grains, guid, p => StopInstanceAsync(p, index, grains))).Guard(AccessKind.Process, AccessNeed.Develop);
        routes.MapPatch("/v3/processes/{guid}", (string guid, HttpContext http, IGrainFactory grains) =>
            ByGuidAsync(grains, guid, p => UpdateAsync(p, http, grains))).Guard(AccessKind.Process, AccessNeed.Develop);
        routes.MapPost("/v3/processes/{guid}/actions/scale", (string guid, HttpContext http, IGrainFactory grains) =>
            ByGuidAsync(grains, guid, p => ScaleAsync(p, http, grains))).Guard(AccessKind.Process, AccessNeed.Develop);

        routes.MapGet("/v3/apps/{guid}/droplets/current", CurrentDropletAsync).Guard(AccessKind.App, AccessNeed.Read);
        return routes;
    }

    /// <summary>
    /// The processes of the caller's apps. Web processes only (<c>types=web</c>) page over the app index as the app list
    /// does; otherwise every matching app is read and its processes are paged here, app order first, then type.
    /// </summary>
    private static async Task<Ok<V3Page<V3ProcessResource>>> ListAsync(HttpContext http, IGrainFactory grains)
    {
        var query = V3ListQuery.Parse(http.Request.Query, ["types", "guids", "app_guids", "space_guids", "organization_guids"]);
        var types = query.ValuesOf("types");
        var processGuids = query.GuidsOf("guids");
        var appGuids = query.GuidsOf("app_guids");
        if (!processGuids.IsDefaultOrEmpty)
        {
            // A web process's guid is its app's; any other points at its app.
            var owners = (await Task.WhenAll(processGuids.Select(g => OwnerOfAsync(grains, g)))).OfType<AppSnapshot>().Select(a => a.Guid).ToImmutableArray();
            appGuids = appGuids.IsDefaultOrEmpty ? owners : [.. appGuids.Intersect(owners)];
            if (appGuids.IsEmpty)
            {
                return TypedResults.Ok(V3Page<V3ProcessResource>.Create(http.BaseUrlOf(), http.Request.Path, query, 0, []));
            }
        }

        var filter = new ListFilter { Guids = appGuids, SpaceGuids = query.GuidsOf("space_guids"), OrganizationGuids = query.GuidsOf("organization_guids") };
        if (processGuids.IsDefaultOrEmpty && types is [AppProcess.Web])
        {
            var page = await grains.Lists().AppsAsync(http.ListCaller(), filter, query.Window);
            return TypedResults.Ok(V3Page<V3ProcessResource>.Create(http.BaseUrlOf(), http.Request.Path, query, page.TotalResults,
                [.. page.Items.Select(app => V3ProcessResource.Of(app, app.Web()))]));
        }

        var processes = new List<V3ProcessResource>();
        for (var pageNumber = 1; ; pageNumber++)
        {
            var apps = await grains.Lists().AppsAsync(http.ListCaller(), filter, query.Window with { Page = pageNumber, PerPage = V3ListQuery.MaxPerPage });
            processes.AddRange(apps.Items.SelectMany(app => app.Processes()
                .Where(p => (types.IsDefaultOrEmpty || types.Contains(p.Type)) && (processGuids.IsDefaultOrEmpty || processGuids.Contains(p.Guid)))
                .Select(p => V3ProcessResource.Of(app, p))));
            if ((long)pageNumber * V3ListQuery.MaxPerPage >= apps.TotalResults)
            {
                break;
            }
        }

        return TypedResults.Ok(V3Page<V3ProcessResource>.Create(http.BaseUrlOf(), http.Request.Path, query, processes.Count,
            [.. processes.Skip((query.Page - 1) * query.PerPage).Take(query.PerPage)]));
    }

    private static async Task<Ok<V3Page<V3ProcessResource>>> ListForAppAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var app = await AppAsync(grains, guid);
        var query = V3ListQuery.Parse(http.Request.Query, ["types"]);
        var types = query.ValuesOf("types");
        IReadOnlyList<V3ProcessResource> processes = [.. app.Processes()
            .Where(p => types.IsDefaultOrEmpty || types.Contains(p.Type))
            .Select(p => V3ProcessResource.Of(app, p))];
        return TypedResults.Ok(V3Page<V3ProcessResource>.Create(http.BaseUrlOf(), http.Request.Path, query, processes.Count,
            [.. processes.Skip((query.Page - 1) * query.PerPage).Take(query.PerPage)]));
    }

    private static Task<IResult> Show(OwnedProcess process) => Task.FromResult<IResult>(TypedResults.Ok(V3ProcessResource.Of(process.App, process.Process)));

    /// <summary>Changes a process's command (null resets it to the droplet's) or health check.</summary>
    private static async Task<IResult> UpdateAsync(OwnedProcess process, HttpContext http, IGrainFactory grains)
    {
        var body = await RequestBody.ReadAsync<V3ProcessUpdate>(http.Request, JsonFieldErrors.V3, emptyIsObject: true);
        http.CarryRequest();
        var updated = await grains.GetGrain<IAppGrain>(process.App.Guid).UpdateProcessAsync(process.Process.Type, new ProcessFields
        {
            Command = string.IsNullOrEmpty(body.Command.Value) ? null : body.Command.Value,
            ClearCommand = body.Command.IsCleared,
            HealthCheckType = body.HealthCheck?.Type,
            HealthCheckTimeout = body.HealthCheck?.Data?.Timeout,
            HealthCheckHttpEndpoint = body.HealthCheck?.Data?.Endpoint,
        }, "audit.app.process.update");
        return TypedResults.Ok(V3ProcessResource.Of(updated, updated.Process(process.Process.Type)!));
    }

    /// <summary>Scales a process (instances, memory, disk) within the org's quota; the runtime follows at once.</summary>
    private static async Task<IResult> ScaleAsync(OwnedProcess process, HttpContext http, IGrainFactory grains)
    {
        var body = await RequestBody.ReadAsync<V3ScaleRequest>(http.Request, JsonFieldErrors.V3, emptyIsObject: true);
        await FeatureFlagsEndpoints.RequireAsync(http, grains, GrainInterfaces.Config.FeatureFlags.AppScaling);
        http.CarryRequest();
        var scaled = await grains.GetGrain<IAppGrain>(process.App.Guid).UpdateProcessAsync(process.Process.Type, new ProcessFields
        {
            Instances = body.Instances,
            Memory = body.MemoryInMb,
            DiskQuota = body.DiskInMb,
        }, "audit.app.process.scale");
        return TypedResults.Json(V3ProcessResource.Of(scaled, scaled.Process(process.Process.Type)!), CfJson.Options, statusCode: 202);
    }

    /// <summary>One entry per desired instance: what the runtime reports, or <c>DOWN</c> (stopped, staging, not reported yet).</summary>
    private static async Task<IResult> StatsAsync(OwnedProcess owned, IGrainFactory grains, IConfiguration configuration, TimeProvider clock)
    {
        var process = owned.Process;
        var instances = Math.Clamp(process.Instances, 0, configuration.GetValue("CloudController:Apps:MaxInstances", 1000));
        var report = await grains.GetGrain<IAppGrain>(owned.App.Guid).InstancesAsync(process.Type);
        var now = clock.GetUtcNow();
        return TypedResults.Ok(new V3Stats([.. Enumerable.Range(0, instances).Select(i =>
            report.Instances.FirstOrDefault(r => r.Index == i) is { } reported
                ? V3ProcessInstanceStats.Reported(process, reported, now)
                : V3ProcessInstanceStats.Down(process, i))]));
    }

    private static async Task<IResult> StopInstanceAsync(OwnedProcess owned, int index, IGrainFactory grains)
    {
        if (index < 0 || index >= owned.Process.Instances)
        {
            throw new CloudControllerException(CfErrorCode.ResourceNotFound, "Instance not found");
        }

        await grains.GetGrain<IAppGrain>(owned.App.Guid).StopInstanceAsync(owned.Process.Type, index);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<V3DropletResource>> CurrentDropletAsync(string guid, IGrainFactory grains, PlatformCatalog platform)
    {
        var app = await AppAsync(grains, guid);
        var droplet = app.CurrentDropletGuid is { } current ? await grains.GetGrain<IDropletGrain>(current).FindAsync() : null;
        return TypedResults.Ok(V3DropletResource.From(droplet ?? throw CloudControllerException.DropletNotFound(), platform));
    }

    /// <summary>Runs <paramref name="then"/> on the app's process of <paramref name="type"/>; an unknown type is ProcessNotFound.</summary>
    private static async Task<IResult> OfAppAsync(IGrainFactory grains, string guid, string type, Func<OwnedProcess, Task<IResult>> then)
    {
        var app = await AppAsync(grains, guid);
        var process = app.Process(type) ?? throw CloudControllerException.ProcessNotFound();
        return await then(new OwnedProcess(app, process));
    }

    /// <summary>Runs <paramref name="then"/> on the process with this guid: an app's (web) or one its pointer names.</summary>
    private static async Task<IResult> ByGuidAsync(IGrainFactory grains, string guid, Func<OwnedProcess, Task<IResult>> then)
    {
        var processGuid = RouteGuid.Parse(guid, _ => CloudControllerException.ProcessNotFound());
        var app = await OwnerOfAsync(grains, processGuid);
        var process = app?.ProcessByGuid(processGuid) ?? throw CloudControllerException.ProcessNotFound();
        return await then(new OwnedProcess(app!, process));
    }

    /// <summary>The process with this guid (and its app); ProcessNotFound when there is none.</summary>
    internal static async Task<AppProcess> ProcessAsync(IGrainFactory grains, string guid)
    {
        var processGuid = RouteGuid.Parse(guid, _ => CloudControllerException.ProcessNotFound());
        return (await OwnerOfAsync(grains, processGuid))?.ProcessByGuid(processGuid) ?? throw CloudControllerException.ProcessNotFound();
    }

    /// <summary>The app holding a process: the app of the same guid (web), else the one its pointer names; null for none.</summary>
    private static async Task<AppSnapshot?> OwnerOfAsync(IGrainFactory grains, Guid process) =>
        await grains.GetGrain<IAppGrain>(process).FindAsync()
        ?? (await grains.GetGrain<IProcessGrain>(process).FindAsync() is { } pointer ? await grains.GetGrain<IAppGrain>(pointer.AppGuid).FindAsync() : null);

    private static async Task<AppSnapshot> AppAsync(IGrainFactory grains, string guid) =>
        await grains.GetGrain<IAppGrain>(RouteGuid.Parse(guid, CloudControllerException.AppNotFound)).FindAsync()
            ?? throw CloudControllerException.AppNotFound(guid);

    private sealed record OwnedProcess(AppSnapshot App, AppProcess Process);
}

internal sealed record V3Stats(IReadOnlyList<V3ProcessInstanceStats> Resources);

/// <summary><c>POST /v3/processes/:guid/actions/scale</c>.</summary>
internal sealed record V3ScaleRequest(int? Instances, int? MemoryInMb, int? DiskInMb) : IRequestBody
{
    private static readonly string[] Fields = ["instances", "memory_in_mb", "disk_in_mb"];

    public static IReadOnlyCollection<string>? AllowedFields => Fields;

    public void Validate(JsonFieldErrors errors)
    {
        if (Instances < 0)
        {
            throw errors.Invalid("instances", "must be greater than or equal to 0");
        }

        if (MemoryInMb < 1 || DiskInMb < 1)
        {
            throw errors.Invalid(MemoryInMb < 1 ? "memory_in_mb" : "disk_in_mb", "must be greater than 0");
        }
    }
}

/// <summary><c>PATCH /v3/processes/:guid</c>: the command (null resets it to the detected one) and the health check.</summary>
internal sealed record V3ProcessUpdate(Field<string?> Command, V3ProcessHealthCheck? HealthCheck) : IRequestBody
{
    private static readonly string[] Fields = ["command", "health_check"];

    public static IReadOnlyCollection<string>? AllowedFields => Fields;

    public static Exception? ShapeError(string field) => field == "health_check"
        ? CloudControllerException.Unprocessable("Health check must be {\"type\": \"port|process|http\", \"data\": {\"timeout\": seconds}}")
        : null;

    public void Validate(JsonFieldErrors errors)
    {
    }
}

internal sealed record V3ProcessHealthCheck(string? Type, V3ProcessHealthCheckData? Data);

internal sealed record V3ProcessHealthCheckData(int? Timeout, string? Endpoint);
