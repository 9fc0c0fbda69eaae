using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Domains;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Events;
using CloudController.GrainInterfaces.Jobs;
using CloudController.GrainInterfaces.Organizations;
using CloudController.GrainInterfaces.Routes;
using CloudController.GrainInterfaces.Quotas;
using CloudController.GrainInterfaces.Spaces;
using CloudController.GrainInterfaces.Users;
using CloudController.Grains.Indexes;

namespace CloudController.Grains.Jobs;

/// <summary>
/// A deletion job's work, outside every grain's turn: the resource's children are deleted a page at a time, each by
/// its own grain call (a short turn of that child), deepest first, and the resource itself last, once empty. It is
/// idempotent (what is already gone is skipped), so a run cut short by a lost silo is simply run again by the job's
/// reminder; a child that cannot go fails the job with its reason and the resource stays.
/// </summary>
internal static class Deletions
{
    public static async Task RunAsync(IGrainFactory grains, JobWork work, CancellationToken cancellationToken)
    {
        // The audit events the deletions cause name who asked, not the system.
        if (work.Actor is { } actor)
        {
            AuditContext.Set(actor, work.RequestJson);
        }

        var target = work.Target ?? throw new CloudControllerException(CfErrorCode.UnknownError, "The deletion names nothing to delete.");
        await (work.Kind switch
        {
            JobKind.DeleteOrganization => OrganizationAsync(grains, target, cancellationToken),
            JobKind.DeleteSpace => SpaceAsync(grains, target, cancellationToken),
            JobKind.DeleteDomain => DomainAsync(grains, target, cancellationToken),
            JobKind.DeleteApp => GoneAsync(grains.GetGrain<IAppGrain>(target).DeleteAsync()),
            JobKind.DeleteRoute => GoneAsync(grains.GetGrain<IRouteGrain>(target).DeleteAsync()),
            JobKind.DeleteUnmappedRoutes => UnmappedRoutesAsync(grains, target, cancellationToken),
            JobKind.DeleteUser => GoneAsync(grains.GetGrain<IUserGrain>(target).DeleteAsync()),
            JobKind.DeleteRole => RoleAsync(grains, target),
            JobKind.DeleteOrganizationQuota => GoneAsync(grains.GetGrain<IQuotaDefinitionGrain>(target).DeleteAsync()),
            _ => throw new CloudControllerException(CfErrorCode.UnknownError, $"A {work.Kind} job deletes nothing."),
        });
    }

    private static async Task OrganizationAsync(IGrainFactory grains, Guid organization, CancellationToken cancellationToken)
    {
        await IndexedWrite.DeleteChildrenAsync(grains, IndexKeys.SpacesInOrganization(organization), "space", "organization",
            space => SpaceAsync(grains, space, cancellationToken), g => grains.GetGrain<ISpaceGrain>(g), cancellationToken);
        await IndexedWrite.DeleteChildrenAsync(grains, IndexKeys.PrivateDomainsOf(organization), "private domain", "organization",
            domain => DomainAsync(grains, domain, cancellationToken), g => grains.GetGrain<IDomainGrain>(g), cancellationToken);
        await GoneAsync(grains.GetGrain<IOrganizationGrain>(organization).DeleteAsync());
    }

    private static async Task SpaceAsync(IGrainFactory grains, Guid space, CancellationToken cancellationToken)
    {
        await IndexedWrite.DeleteChildrenAsync(grains, IndexKeys.AppsInSpace(space), "app", "space",
            app => GoneAsync(grains.GetGrain<IAppGrain>(app).DeleteAsync()), g => grains.GetGrain<IAppGrain>(g), cancellationToken);
        await IndexedWrite.DeleteChildrenAsync(grains, IndexKeys.RoutesInSpace(space), "route", "space",
            route => GoneAsync(grains.GetGrain<IRouteGrain>(route).DeleteAsync()), g => grains.GetGrain<IRouteGrain>(g), cancellationToken);
        await GoneAsync(grains.GetGrain<ISpaceGrain>(space).DeleteAsync());
    }

    private static async Task DomainAsync(IGrainFactory grains, Guid domain, CancellationToken cancellationToken)
    {
        await IndexedWrite.DeleteChildrenAsync(grains, IndexKeys.RoutesOfDomain(domain), "route", "domain",
            route => GoneAsync(grains.GetGrain<IRouteGrain>(route).DeleteAsync()), g => grains.GetGrain<IRouteGrain>(g), cancellationToken);
        await GoneAsync(grains.GetGrain<IDomainGrain>(domain).DeleteAsync());
    }

    /// <summary>The space's routes that map no app, a page at a time; a route mapped meanwhile stays.</summary>
    private static async Task UnmappedRoutesAsync(IGrainFactory grains, Guid space, CancellationToken cancellationToken)
    {
        var routes = await grains.GetGrain<GrainInterfaces.Indexes.IResourceIndexGrain>(IndexKeys.RoutesInSpace(space))
            .QueryAsync(GrainInterfaces.Indexes.IndexQuery.All(1, int.MaxValue));
        foreach (var chunk in routes.Entries.Chunk(64))
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Task.WhenAll(chunk.Select(async entry =>
            {
                var route = grains.GetGrain<IRouteGrain>(entry.Guid);
                if (await route.FindAsync() is { Apps.IsEmpty: true })
                {
                    await GoneAsync(route.DeleteAsync());
                }
            }));
        }
    }

    /// <summary>Ends a role: its user gives it up (a role already gone is done).</summary>
    private static async Task RoleAsync(IGrainFactory grains, Guid role)
    {
        if (await grains.GetGrain<IRoleGrain>(role).FindAsync() is not { } found)
        {
            return;
        }

        var user = grains.GetGrain<IUserGrain>(found.UserGuid);
        await GoneAsync(found.SpaceGuid is { } space
            ? user.RevokeAsync(space, Roles.SpaceRoleOf(found.Type))
            : user.RevokeAsync(found.Scope, Roles.OrgRoleOf(found.Type)));
    }

    /// <summary>A deletion whose resource is already gone (an earlier run got there first) is done.</summary>
    private static async Task GoneAsync(Task deletion)
    {
        try
        {
            await deletion;
        }
        catch (CloudControllerException e) when (e.Code is CfErrorCode.OrganizationNotFound or CfErrorCode.SpaceNotFound or CfErrorCode.AppNotFound
            or CfErrorCode.RouteNotFound or CfErrorCode.DomainNotFound or CfErrorCode.UserNotFound or CfErrorCode.QuotaDefinitionNotFound)
        {
        }
    }
}
