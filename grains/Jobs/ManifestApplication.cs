using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Events;
using CloudController.GrainInterfaces.Jobs;
using CloudController.GrainInterfaces.Lists;
using CloudController.GrainInterfaces.Manifests;
using CloudController.GrainInterfaces.Routes;

namespace CloudController.Grains.Jobs;

/// <summary>
/// An <c>apply_manifest</c> job's work, outside every grain's turn: app by app in manifest order, its settings (one
/// update: scale, lifecycle, environment merge, metadata), its processes (a missing type created), then its routes
/// (found in the space or created there, and mapped). Every step is idempotent, so a run cut short by a lost silo is run
/// again by the job's reminder and ends the same. A step CC refuses fails the job with <c>For application 'N': ...</c>;
/// the apps before it keep their changes, as in CC.
/// </summary>
internal static class ManifestApplication
{
    public static async Task RunAsync(IGrainFactory grains, JobWork work, CancellationToken cancellationToken)
    {
        if (work.Actor is { } actor)
        {
            AuditContext.Set(actor, work.RequestJson);
        }

        var plan = work.Manifest ?? throw new CloudControllerException(CfErrorCode.UnknownError, "The job names no manifest to apply.");
        foreach (var app in plan.Apps)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await ApplyAsync(grains, plan.SpaceGuid, app);
            }
            catch (CloudControllerException e)
            {
                throw new CloudControllerException(e.Code, $"For application '{app.Name}': {e.Message}");
            }
        }
    }

    private static async Task ApplyAsync(IGrainFactory grains, Guid space, ManifestAppPlan plan)
    {
        var grain = grains.GetGrain<IAppGrain>(plan.AppGuid);
        await grain.UpdateAsync(plan.Settings);
        foreach (var process in plan.Processes)
        {
            await grain.UpdateProcessAsync(process.Type, process.Fields, "audit.app.process.update");
        }

        if (plan.RouteMode == ManifestRouteMode.Keep)
        {
            return;
        }

        var mapped = (await grains.GetGrain<IListGrain>(0).RoutesAsync(ListCaller.Everything, new ListFilter { AppGuids = [plan.AppGuid] }, ListWindow.All)).Items;
        var app = new MappedApp(plan.AppGuid, space, plan.Name);
        switch (plan.RouteMode)
        {
            case ManifestRouteMode.None:
                foreach (var route in mapped)
                {
                    await grains.GetGrain<IRouteGrain>(route.Guid).UnmapAsync(plan.AppGuid, app);
                }

                break;
            case ManifestRouteMode.IfUnrouted when mapped.IsEmpty:
            case ManifestRouteMode.Listed:
                foreach (var route in plan.Routes)
                {
                    await MapAsync(grains, space, app, route);
                }

                break;
        }
    }

    /// <summary>The route in the space (found, or created there) with the app mapped; a route of another space is CC's 422.</summary>
    private static async Task MapAsync(IGrainFactory grains, Guid space, MappedApp app, PlannedRoute planned)
    {
        var found = (await grains.GetGrain<IListGrain>(0).RoutesAsync(ListCaller.Everything, new ListFilter
        {
            DomainGuids = [planned.DomainGuid],
            Hosts = [planned.Host],
            Paths = [planned.Path],
        }, ListWindow.All)).Items.FirstOrDefault(r => r.Port is null);
        if (found is { } existing && existing.SpaceGuid != space)
        {
            throw CloudControllerException.Unprocessable("Routes cannot be mapped to destinations in different spaces");
        }

        var route = found ?? await grains.GetGrain<IRouteGrain>(Guid.NewGuid()).CreateAsync(new CreateRoute(planned.Host, planned.DomainGuid, space, planned.Path, null));
        if (!route.Apps.Contains(app.Guid))
        {
            await grains.GetGrain<IRouteGrain>(route.Guid).MapAsync(app);
        }
    }
}
