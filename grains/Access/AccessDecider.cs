using CloudController.GrainInterfaces.Access;
using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Domains;
using CloudController.GrainInterfaces.Droplets;
using CloudController.GrainInterfaces.Jobs;
using CloudController.GrainInterfaces.Organizations;
using CloudController.GrainInterfaces.Packages;
using CloudController.GrainInterfaces.Processes;
using CloudController.GrainInterfaces.Routes;
using CloudController.GrainInterfaces.Spaces;
using CloudController.GrainInterfaces.Users;

namespace CloudController.Grains.Access;

/// <summary>
/// Resolves a resource to its owning space and organization and judges a membership against it with
/// <see cref="AccessRules"/>. The membership (a task, so it loads while the resource does) comes from the caller's
/// own user grain, which decides without another call, or from <see cref="AccessGrain"/>. A space's organization is
/// looked up only when the caller manages some organization and holds no role in the space itself.
/// </summary>
internal static class AccessDecider
{
    public static async Task<AccessDecision> DecideAsync(
        IGrainFactory grains, Task<Membership> membership, AccessCaller caller, AccessKind kind, Guid guid, AccessNeed need)
    {
        switch (kind)
        {
            case AccessKind.Job:
                var job = await grains.GetGrain<IJobGrain>(guid).FindAsync();
                return new(job is null ? AccessVerdict.Missing : AccessRules.JudgeJob(job.Owner, caller, need));
            case AccessKind.User:
                var user = await grains.GetGrain<IUserGrain>(guid).FindAsync();
                return new(user is null && !AccessRules.IsSelf(guid, caller) ? AccessVerdict.Missing : AccessRules.JudgeUser(guid, caller, need));
        }

        if (await ScopeAsync(grains, kind, guid) is not { } scope)
        {
            return new(AccessVerdict.Missing);
        }

        var (organization, space, app) = scope;
        var roles = await membership;
        if (organization is null && space is { } s)
        {
            organization = roles.Spaces.TryGetValue(s, out var held) ? held.OrganizationGuid
                : AccessRules.ManagesAny(roles) ? (await grains.GetGrain<ISpaceGrain>(s).FindAsync())?.OrganizationGuid
                : null;
        }

        var verdict = AccessRules.Judge(roles, caller.Privilege, organization ?? Guid.Empty, space, need);
        return verdict == AccessVerdict.Allowed && kind == AccessKind.App
            ? new(verdict, app, AccessRules.Judge(roles, caller.Privilege, organization ?? Guid.Empty, space, AccessNeed.ReadSecrets) == AccessVerdict.Allowed)
            : new(verdict);
    }

    /// <summary>
    /// The owning organization (when known without another call), space and app (for what an app holds); null when the
    /// resource does not exist.
    /// </summary>
    private static async Task<(Guid? Organization, Guid? Space, AppSnapshot? App)?> ScopeAsync(IGrainFactory grains, AccessKind kind, Guid guid)
    {
        switch (kind)
        {
            case AccessKind.Organization:
                return await grains.GetGrain<IOrganizationGrain>(guid).FindAsync() is { } org ? (org.Guid, null, null) : null;
            case AccessKind.Space:
                return await grains.GetGrain<ISpaceGrain>(guid).FindAsync() is { } space ? (space.OrganizationGuid, space.Guid, null) : null;
            case AccessKind.Package:
                return await grains.GetGrain<IPackageGrain>(guid).FindAsync() is { } package ? await ScopeAsync(grains, AccessKind.App, package.AppGuid) : null;
            case AccessKind.Route:
                return await grains.GetGrain<IRouteGrain>(guid).FindAsync() is { } route ? (route.OrganizationGuid, route.SpaceGuid, null) : null;
            case AccessKind.PrivateDomain:
                return await grains.GetGrain<IDomainGrain>(guid).FindAsync() is { OwningOrganizationGuid: { } owner } ? (owner, null, null) : null;
            case AccessKind.Process:
                // A web process shares its app's guid; any other points at its app.
                return await ScopeAsync(grains, AccessKind.App, guid) is { } web ? web
                    : await grains.GetGrain<IProcessGrain>(guid).FindAsync() is { } pointer ? await ScopeAsync(grains, AccessKind.App, pointer.AppGuid) : null;
            case AccessKind.Droplet or AccessKind.Build:
                return await grains.GetGrain<IDropletGrain>(guid).FindAsync() is { } droplet ? await ScopeAsync(grains, AccessKind.App, droplet.AppGuid) : null;
            default:
                return await grains.GetGrain<IAppGrain>(guid).FindAsync() is { } app ? (null, app.SpaceGuid, app) : null;
        }
    }
}
