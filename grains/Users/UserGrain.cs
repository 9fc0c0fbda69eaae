using System.Collections.Immutable;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Indexes;
using CloudController.GrainInterfaces.Users;
using CloudController.Grains.Indexes;
using CloudController.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace CloudController.Grains.Users;

/// <summary>
/// A Cloud Controller user record and its roles (the per-user membership that access checks read). Each role is
/// also an entry in its organization's or space's role index (named by user name), which role lists page through:
/// a grant enters the index before it is stored, a revoke leaves it after.
/// </summary>
[GrainType("user")]
public sealed partial class UserGrain(
    [PersistentState(StorageNames.State, StorageNames.CloudController)] IPersistentState<UserGrainState> state,
    TimeProvider clock,
    ILogger<UserGrain> logger) : Grain, IUserGrain
{
    private Guid Guid => this.GetPrimaryKey();

    private UserSnapshot Current => state.RecordExists && state.State.User is { } user
        ? user
        : throw new CloudControllerException(CfErrorCode.UserNotFound, $"The user could not be found: {Guid}");

    private Membership Roles => state.State.Membership ?? Membership.None;

    /// <summary>
    /// The roles as last stored: what access decisions judge. Decisions interleave with everything (a decision waits
    /// on the resource's grain, and a grain being deleted revokes roles here, so waiting on writes could deadlock),
    /// so they must never see a change whose write has not completed.
    /// </summary>
    private Membership _stored = Membership.None;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _stored = state.RecordExists ? Roles : Membership.None;
        return Task.CompletedTask;
    }

    public async Task<UserSnapshot> CreateAsync(string? userName, Guid? defaultSpaceGuid)
    {
        if (state.RecordExists)
        {
            throw Taken();
        }

        var user = new UserSnapshot(Guid, userName, Admin: false, Active: false, defaultSpaceGuid, clock.GetUtcNow(), null);
        await IndexedWrite.ClaimThenStoreAsync(GrainFactory, Placement(Guid), Entry(user), Taken,
            () => state.SaveAsync(new UserGrainState { User = user, Membership = Membership.None }));
        LogCreated(Guid);
        return user;
    }

    public async Task<UserSnapshot> EnsureAsync(string? userName)
    {
        if (state.RecordExists && state.State.User is { } user)
        {
            return user;
        }

        return await CreateAsync(userName, null);
    }

    public Task<UserSnapshot> GetAsync() => Task.FromResult(Current);

    public Task<UserSnapshot?> FindAsync() => Task.FromResult(state.RecordExists ? state.State.User : null);

    public Task<GrainInterfaces.Access.AccessDecision> DecideAsync(
        GrainInterfaces.Access.AccessCaller caller, GrainInterfaces.Access.AccessKind kind, Guid guid, GrainInterfaces.Access.AccessNeed need) =>
        kind is GrainInterfaces.Access.AccessKind.Job or GrainInterfaces.Access.AccessKind.User
            ? throw new ArgumentException("A user grain decides only its own org, space, app, package and droplet access.", nameof(kind))
            : Access.AccessDecider.DecideAsync(GrainFactory, Task.FromResult(_stored), caller, kind, guid, need);

    public Task<Membership> MembershipAsync() => Task.FromResult(state.RecordExists ? Roles : Membership.None);

    public async Task GrantAsync(Guid organization, OrgRole role)
    {
        var user = Current;
        if (Roles.Has(organization, role))
        {
            return;
        }

        await RoleIndex(organization, role.ToString()).PutAsync(RoleEntry(user));
        var roles = Roles.Organizations.GetValueOrDefault(organization, []).Add(role);
        await SaveAsync(Roles with { Organizations = Roles.Organizations.SetItem(organization, roles) });
    }

    public async Task RevokeAsync(Guid organization, OrgRole role)
    {
        _ = Current;
        if (!Roles.Has(organization, role))
        {
            return;
        }

        var left = Roles.Organizations[organization].Remove(role);
        var next = Roles with { Organizations = left.IsEmpty ? Roles.Organizations.Remove(organization) : Roles.Organizations.SetItem(organization, left) };
        var droppedSpaces = role == OrgRole.User
            ? Roles.Spaces.Where(s => s.Value.OrganizationGuid == organization).ToList()
            : [];
        next = next with { Spaces = next.Spaces.RemoveRange(droppedSpaces.Select(s => s.Key)) };
        await SaveAsync(next);
        await RoleIndex(organization, role.ToString()).ReleaseAsync(Guid);
        await Task.WhenAll(droppedSpaces.SelectMany(s => s.Value.Roles.Select(r => RoleIndex(s.Key, r.ToString()).ReleaseAsync(Guid))));
    }

    public async Task GrantAsync(Guid organization, Guid space, SpaceRole role)
    {
        var user = Current;
        if (!Roles.Has(organization, OrgRole.User))
        {
            throw new CloudControllerException(CfErrorCode.InvalidRelation,
                $"User {user.UserName ?? Guid.ToString()} is not a member of the space's organization; add them as an org user first.");
        }

        if (Roles.Has(space, role))
        {
            return;
        }

        await RoleIndex(space, role.ToString()).PutAsync(RoleEntry(user));
        var roles = Roles.Spaces.TryGetValue(space, out var existing) ? existing.Roles.Add(role) : [role];
        await SaveAsync(Roles with { Spaces = Roles.Spaces.SetItem(space, new SpaceMembership(organization, roles)) });
    }

    public async Task RevokeAsync(Guid space, SpaceRole role)
    {
        _ = Current;
        if (!Roles.Has(space, role))
        {
            return;
        }

        var membership = Roles.Spaces[space];
        var left = membership.Roles.Remove(role);
        await SaveAsync(Roles with { Spaces = left.IsEmpty ? Roles.Spaces.Remove(space) : Roles.Spaces.SetItem(space, membership with { Roles = left }) });
        await RoleIndex(space, role.ToString()).ReleaseAsync(Guid);
    }

    public async Task DeleteAsync()
    {
        _ = Current;
        var roles = Roles;
        await IndexedWrite.ClearThenReleaseAsync(GrainFactory, Placement(Guid), Guid, () => state.ClearStateAsync());
        _stored = Membership.None;
        await Task.WhenAll(
            roles.Organizations.SelectMany(o => o.Value.Select(r => RoleIndex(o.Key, r.ToString()).ReleaseAsync(Guid)))
                .Concat(roles.Spaces.SelectMany(s => s.Value.Roles.Select(r => RoleIndex(s.Key, r.ToString()).ReleaseAsync(Guid)))));
        LogDeleted(Guid);
    }

    private async Task SaveAsync(Membership membership)
    {
        await state.SaveAsync(state.State with { Membership = membership });
        _stored = membership;
    }

    private IResourceIndexGrain RoleIndex(Guid scope, string role) => GrainFactory.GetGrain<IResourceIndexGrain>(IndexKeys.RoleHolders(scope, role));

    private static IndexEntry RoleEntry(UserSnapshot user) =>
        new(user.Guid, user.UserName ?? user.Guid.ToString("D"), string.Empty, user.CreatedAt, []);

    private static IndexPlacement Placement(Guid guid) => new(IndexKeys.Catalog(IndexKeys.Users, guid), null);

    private static IndexEntry Entry(UserSnapshot user) => new(user.Guid, user.Guid.ToString("D"), string.Empty, user.CreatedAt, []);

    private CloudControllerException Taken() => new(CfErrorCode.UaaIdTaken, $"The UAA ID is taken: {Guid}");

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserGuid} recorded")]
    private partial void LogCreated(Guid userGuid);

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserGuid} deleted")]
    private partial void LogDeleted(Guid userGuid);
}

/// <summary>Persisted form of a Cloud Controller user.</summary>
[GenerateSerializer, Alias("CloudController.Grains.Users.UserGrainState")]
public sealed record UserGrainState
{
    [Id(0)] public UserSnapshot? User { get; init; }

    [Id(1)] public Membership? Membership { get; init; }
}
