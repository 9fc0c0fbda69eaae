using System.Collections.Immutable;
using CloudController.GrainInterfaces.Access;
using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Droplets;
using CloudController.GrainInterfaces.Indexes;
using CloudController.GrainInterfaces.Jobs;
using CloudController.GrainInterfaces.Organizations;
using CloudController.GrainInterfaces.Packages;
using CloudController.GrainInterfaces.Spaces;
using CloudController.GrainInterfaces.Users;
using Orleans.Concurrency;

namespace CloudController.Grains.Access;

/// <summary>
/// Resolves a resource to its owning space and organization and judges the caller's membership against it
/// (<see cref="AccessRules"/>). The membership record and the resource load concurrently; a space's organization is
/// looked up only when the caller manages some organization and holds no role in the space itself.
/// </summary>
[StatelessWorker]
public sealed class AccessGrain : Grain, IAccessGrain
{
    public async Task<AccessVerdict> DecideAsync(AccessCaller caller, AccessKind kind, Guid guid, AccessNeed need)
    {
        switch (kind)
        {
            case AccessKind.Job:
                var job = await GrainFactory.GetGrain<IJobGrain>(guid).FindAsync();
                return job is null ? AccessVerdict.Missing : AccessRules.JudgeJob(job.Owner, caller, need);
            case AccessKind.User:
                var user = await GrainFactory.GetGrain<IUserGrain>(guid).FindAsync();
                return user is null && guid.ToString("D") != caller.Id ? AccessVerdict.Missing : AccessRules.JudgeUser(guid, caller, need);
        }

        var membership = MembershipAsync(caller.Id);
        if (await ScopeAsync(kind, guid) is not { } scope)
        {
            return AccessVerdict.Missing;
        }

        var (organization, space) = scope;
        var roles = await membership;
        if (organization is null && space is { } s)
        {
            organization = roles.Spaces.TryGetValue(s, out var held) ? held.OrganizationGuid
                : AccessRules.ManagesAny(roles) ? (await GrainFactory.GetGrain<ISpaceGrain>(s).FindAsync())?.OrganizationGuid
                : null;
        }

        return AccessRules.Judge(roles, caller.Privilege, organization ?? Guid.Empty, space, need);
    }

    public async Task<VisibleScopes> VisibleAsync(string callerId)
    {
        var roles = await MembershipAsync(callerId);
        var spaces = roles.Spaces.Where(s => !s.Value.Roles.IsEmpty).ToImmutableDictionary(s => s.Key, s => s.Value.OrganizationGuid);
        var managed = roles.Organizations.Where(o => o.Value.Contains(OrgRole.Manager)).Select(o => o.Key).ToImmutableArray();
        if (!managed.IsEmpty)
        {
            var lists = GrainFactory.GetGrain<IListGrain>(0);
            var pages = await Task.WhenAll(managed.Select(async org =>
                (org, await lists.EntriesAsync([IndexKeys.SpacesInOrganization(org)], IndexQuery.All(1, int.MaxValue)))));
            var builder = spaces.ToBuilder();
            foreach (var (org, page) in pages)
            {
                foreach (var entry in page.Entries)
                {
                    builder[entry.Guid] = org;
                }
            }

            spaces = builder.ToImmutable();
        }

        return new VisibleScopes([.. roles.Organizations.Where(o => !o.Value.IsEmpty).Select(o => o.Key)], spaces);
    }

    private Task<Membership> MembershipAsync(string callerId) =>
        Guid.TryParse(callerId, out var id) ? GrainFactory.GetGrain<IUserGrain>(id).MembershipAsync() : Task.FromResult(Membership.None);

    /// <summary>The owning organization (when known without another call) and space; null when the resource does not exist.</summary>
    private async Task<(Guid? Organization, Guid? Space)?> ScopeAsync(AccessKind kind, Guid guid)
    {
        switch (kind)
        {
            case AccessKind.Organization:
                return await GrainFactory.GetGrain<IOrganizationGrain>(guid).FindAsync() is { } org ? (org.Guid, null) : null;
            case AccessKind.Space:
                return await GrainFactory.GetGrain<ISpaceGrain>(guid).FindAsync() is { } space ? (space.OrganizationGuid, space.Guid) : null;
            case AccessKind.Package:
                return await GrainFactory.GetGrain<IPackageGrain>(guid).FindAsync() is { } package ? await ScopeAsync(AccessKind.App, package.AppGuid) : null;
            case AccessKind.Droplet:
                return await GrainFactory.GetGrain<IDropletGrain>(guid).FindAsync() is { } droplet ? await ScopeAsync(AccessKind.App, droplet.AppGuid) : null;
            default:
                return await GrainFactory.GetGrain<IAppGrain>(guid).FindAsync() is { } app ? (null, app.SpaceGuid) : null;
        }
    }
}
