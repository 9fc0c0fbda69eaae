using CloudController.Api.Auth;
using CloudController.Api.Paging;
using CloudController.Api.Platform;
using CloudController.Api.Resources;
using CloudController.GrainInterfaces.Access;
using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Droplets;
using CloudController.GrainInterfaces.Errors;
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
        return routes;
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
