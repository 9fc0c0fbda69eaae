using System.Collections.Immutable;
using CloudController.Grains.Indexes;
using CloudController.GrainInterfaces.Access;
using CloudController.GrainInterfaces.Indexes;
using CloudController.GrainInterfaces.Users;
using Orleans.Concurrency;

namespace CloudController.Grains.Access;

/// <summary>
/// Access decisions for callers without a user grain of their own (client tokens) and for jobs and user records,
/// and what a list may show a caller (<see cref="VisibleAsync"/>). Users' decisions on org, space, app, package and
/// droplet routes go to their own <see cref="IUserGrain.DecideAsync"/>, which saves a hop.
/// </summary>
[StatelessWorker]
public sealed class AccessGrain : Grain, IAccessGrain
{
    public Task<AccessDecision> DecideAsync(AccessCaller caller, AccessKind kind, Guid guid, AccessNeed need) =>
        AccessDecider.DecideAsync(GrainFactory, MembershipAsync(caller.Id), caller, kind, guid, need);

    public async Task<VisibleScopes> VisibleAsync(string callerId)
    {
        var roles = await MembershipAsync(callerId);
        var spaces = roles.Spaces.Where(s => !s.Value.Roles.IsEmpty).ToImmutableDictionary(s => s.Key, s => s.Value.OrganizationGuid);
        var managed = roles.Organizations.Where(o => o.Value.Contains(OrgRole.Manager)).Select(o => o.Key).ToImmutableArray();
        if (!managed.IsEmpty)
        {
            var pages = await Task.WhenAll(managed.Select(async org =>
                (org, await GrainFactory.GetGrain<IResourceIndexGrain>(IndexKeys.SpacesInOrganization(org)).QueryAsync(IndexQuery.All(1, int.MaxValue)))));
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

        return new VisibleScopes(
            [.. roles.Organizations.Where(o => !o.Value.IsEmpty).Select(o => o.Key)],
            spaces,
            [.. roles.Spaces.Where(s => s.Value.Roles.Contains(SpaceRole.Developer)).Select(s => s.Key)]);
    }

    private Task<Membership> MembershipAsync(string callerId) =>
        Guid.TryParse(callerId, out var id) ? GrainFactory.GetGrain<IUserGrain>(id).MembershipAsync() : Task.FromResult(Membership.None);
}
