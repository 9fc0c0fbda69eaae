using CloudController.Api.Auth;
using CloudController.Api.Paging;
using CloudController.Api.Platform;
using CloudController.Api.Resources;
using CloudController.GrainInterfaces.Access;
using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Droplets;
using CloudController.GrainInterfaces.Errors;
using CloudController.Api.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CloudController.Api.Endpoints;

/// <summary>
/// What <c>cf push</c> and <c>cf app</c> read after the app itself: its processes (the <c>web</c> process, a view of
/// the app's own fields), their stats, the current droplet, and the app's v2 routes (none exist on this server yet).
/// </summary>
internal static class ProcessesEndpoints
{
    public static IEndpointRouteBuilder MapProcesses(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v3/apps/{guid}/processes", ListForAppAsync).Guard(AccessKind.App, AccessNeed.Read);
        routes.MapGet("/v3/apps/{guid}/processes/{type}", GetForAppAsync).Guard(AccessKind.App, AccessNeed.Read);
        routes.MapGet("/v3/processes/{guid}", GetAsync).Guard(AccessKind.App, AccessNeed.Read);
        routes.MapGet("/v3/processes/{guid}/stats", StatsAsync).Guard(AccessKind.App, AccessNeed.Read);
        routes.MapDelete("/v3/processes/{guid}/instances/{index:int}", StopInstanceAsync).Guard(AccessKind.App, AccessNeed.Develop);
        routes.MapGet("/v3/apps/{guid}/droplets/current", CurrentDropletAsync).Guard(AccessKind.App, AccessNeed.Read);
        routes.MapGet("/v3/processes", ListAsync).Unguarded("lists the processes of the caller's spaces only");
        routes.MapPatch("/v3/processes/{guid}", UpdateAsync).Guard(AccessKind.App, AccessNeed.Develop);
        routes.MapPost("/v3/processes/{guid}/actions/scale", (string guid, HttpContext http, IGrainFactory grains) => ScaleAsync(guid, V3ProcessResource.Web, http, grains))
            .Guard(AccessKind.App, AccessNeed.Develop);
        routes.MapPost("/v3/apps/{guid}/processes/{type}/actions/scale", (string guid, string type, HttpContext http, IGrainFactory grains) => ScaleAsync(guid, type, http, grains))
            .Guard(AccessKind.App, AccessNeed.Develop);
        return routes;
    }

    private static async Task<Ok<V3Page<V3ProcessResource>>> ListAsync(HttpContext http, IGrainFactory grains)
    {
        var query = V3ListQuery.Parse(http.Request.Query, ["types", "guids", "app_guids", "space_guids", "organization_guids"]);
        var types = query.ValuesOf("types");
        if (!types.IsDefaultOrEmpty && !types.Contains(V3ProcessResource.Web))
        {
            return TypedResults.Ok(V3Page<V3ProcessResource>.Create("", http.Request.Path, query, 0, []));
        }

        // Each app's web process shares its guid: the process list is the app list.
        var guids = query.GuidsOf("guids").AddRange(query.GuidsOf("app_guids"));
        var visible = await http.VisibleAsync();
        var indexes = await AppScopes.ResolveAsync(grains, query.GuidsOf("space_guids"), query.GuidsOf("organization_guids"), guids, visible);
        var page = await Lists.Of(grains).AppsAsync(indexes, query.ToIndexQuery([], guids), query.ByUpdatedAt);
        return TypedResults.Ok(V3Page<V3ProcessResource>.Create("", http.Request.Path, query, page.TotalResults, [.. page.Items.Select(V3ProcessResource.WebOf)]));
    }

    /// <summary>Changes the web process's command or health check (its app's fields).</summary>
    private static async Task<Ok<V3ProcessResource>> UpdateAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var app = await AppAsync(grains, guid, _ => ProcessNotFound());
        var body = await RequestBody.ReadAsync<V3ProcessUpdate>(http.Request, JsonFieldErrors.V3, emptyIsObject: true);
        var updated = await grains.GetGrain<IAppGrain>(app.Guid).UpdateAsync(new AppFields
        {
            Command = string.IsNullOrEmpty(body.Command.Value) ? null : body.Command.Value,
            HealthCheckType = body.HealthCheck?.Type,
            HealthCheckTimeout = body.HealthCheck?.Data?.Timeout,
            Cleared = body.Command.IsCleared ? [AppSetting.Command] : [],
        });
        await http.AuditAppAsync(grains, "audit.app.process.update", updated, Audit.Request(http));
        return TypedResults.Ok(V3ProcessResource.WebOf(updated));
    }

    /// <summary>Scales the web process (instances, memory, disk) within the org's quota; the runtime follows at once.</summary>
    private static async Task<IResult> ScaleAsync(string guid, string type, HttpContext http, IGrainFactory grains)
    {
        var app = await AppAsync(grains, guid, _ => ProcessNotFound());
        if (type != V3ProcessResource.Web)
        {
            throw ProcessNotFound();
        }

        var body = await RequestBody.ReadAsync<V3ScaleRequest>(http.Request, JsonFieldErrors.V3, emptyIsObject: true);
        var scaled = await grains.GetGrain<IAppGrain>(app.Guid).UpdateAsync(new AppFields
        {
            Instances = body.Instances,
            Memory = body.MemoryInMb,
            DiskQuota = body.DiskInMb,
        });
        await http.AuditAppAsync(grains, "audit.app.process.scale", scaled, Audit.Request(http));
        return TypedResults.Json(V3ProcessResource.WebOf(scaled), CfJson.Options, statusCode: 202);
    }

    private static async Task<Ok<V3Page<V3ProcessResource>>> ListForAppAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var app = await AppAsync(grains, guid, CloudControllerException.AppNotFound);
        var query = V3ListQuery.Parse(http.Request.Query, ["types"]);
        var types = query.ValuesOf("types");
        IReadOnlyList<V3ProcessResource> processes = types.IsDefaultOrEmpty || types.Contains(V3ProcessResource.Web) ? [V3ProcessResource.WebOf(app)] : [];
        return TypedResults.Ok(V3Page<V3ProcessResource>.Create("", http.Request.Path, query, processes.Count, processes));
    }

    private static async Task<Ok<V3ProcessResource>> GetForAppAsync(string guid, string type, IGrainFactory grains)
    {
        var app = await AppAsync(grains, guid, CloudControllerException.AppNotFound);
        return type == V3ProcessResource.Web ? TypedResults.Ok(V3ProcessResource.WebOf(app)) : throw ProcessNotFound();
    }

    private static async Task<Ok<V3ProcessResource>> GetAsync(string guid, IGrainFactory grains) =>
        TypedResults.Ok(V3ProcessResource.WebOf(await AppAsync(grains, guid, _ => ProcessNotFound())));

    /// <summary>One entry per desired instance: what the runtime reports, or <c>DOWN</c> (stopped, staging, not reported yet).</summary>
    private static async Task<Ok<V3Stats>> StatsAsync(string guid, IGrainFactory grains, IConfiguration configuration, TimeProvider clock)
    {
        var app = await AppAsync(grains, guid, _ => ProcessNotFound());
        var instances = Math.Clamp(app.Instances, 0, configuration.GetValue("CloudController:Apps:MaxInstances", 1000));
        var report = await grains.GetGrain<IAppGrain>(app.Guid).InstancesAsync();
        var now = clock.GetUtcNow();
        return TypedResults.Ok(new V3Stats([.. Enumerable.Range(0, instances).Select(i =>
            report.Instances.FirstOrDefault(r => r.Index == i) is { } reported
                ? V3ProcessInstanceStats.Reported(app, reported, now)
                : V3ProcessInstanceStats.Down(app, i))]));
    }

    private static async Task<NoContent> StopInstanceAsync(string guid, int index, IGrainFactory grains)
    {
        var app = await AppAsync(grains, guid, _ => ProcessNotFound());
        if (index < 0 || index >= app.Instances)
        {
            throw new CloudControllerException(CfErrorCode.ResourceNotFound, "Instance not found");
        }

        await grains.GetGrain<IAppGrain>(app.Guid).StopInstanceAsync(index);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<V3DropletResource>> CurrentDropletAsync(string guid, IGrainFactory grains, PlatformCatalog platform)
    {
        var app = await AppAsync(grains, guid, CloudControllerException.AppNotFound);
        var droplet = app.CurrentDropletGuid is { } current ? await grains.GetGrain<IDropletGrain>(current).FindAsync() : null;
        return TypedResults.Ok(V3DropletResource.From(droplet ?? throw CloudControllerException.DropletNotFound(), platform));
    }

    private static async Task<AppSnapshot> AppAsync(IGrainFactory grains, string guid, Func<string, CloudControllerException> notFound) =>
        await grains.GetGrain<IAppGrain>(RouteGuid.Parse(guid, notFound)).FindAsync() ?? throw notFound(guid);

    private static CloudControllerException ProcessNotFound() => new(CfErrorCode.ResourceNotFound, "Process not found");
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
