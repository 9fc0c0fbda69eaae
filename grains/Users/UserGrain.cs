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
    Events.AuditTrail trail,
    TimeProvider clock,
    ILogger<UserGrain> logger) : Grain, IUserGrain
{
    private CommitPoint<UserGrainState>? _commit;

    private Guid Guid => this.GetPrimaryKey();

    private CommitPoint<UserGrainState> Commit => _commit ??= new(this, state, s => s.Outstanding, (s, o) => s with { Outstanding = o },
        DeriveAsync, trail, logger);

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
        return Commit.ResumeAsync();
    }

    public async Task<UserSnapshot> CreateAsync(string? userName, Guid? defaultSpaceGuid)
    {
        if (state.RecordExists)
        {
            throw Taken();
        }

        var user = new UserSnapshot(Guid, userName, Admin: false, Active: false, defaultSpaceGuid, clock.GetUtcNow(), null);
        await Commit.StoreAsync(new UserGrainState { User = user, Membership = Membership.None }, Outstanding.Work());
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

    public Task ReindexAsync() => Commit.RepairAsync();

    public async Task<bool> ConfirmEntryAsync(string index)
    {
        if (state.RecordExists && state.State.User is { } user && (index == Placement(Guid).Index || RoleIndexes(Roles).Contains(index)))
        {
            await Index(index).PutAsync(index == Placement(Guid).Index ? Entry(user) : RoleEntry(user));
            return true;
        }

        await Index(index).ReleaseAsync(Guid);
        return false;
    }

    public Task<GrainInterfaces.Access.AccessDecision> DecideAsync(
        GrainInterfaces.Access.AccessCaller caller, GrainInterfaces.Access.AccessKind kind, Guid guid, GrainInterfaces.Access.AccessNeed need) =>
        kind is GrainInterfaces.Access.AccessKind.Job or GrainInterfaces.Access.AccessKind.User
            ? throw new ArgumentException("A user grain decides only its own org, space, app, package and droplet access.", nameof(kind))
            : Access.AccessDecider.DecideAsync(GrainFactory, Task.FromResult(_stored), caller, kind, guid, need);

    public Task<Membership> MembershipAsync() => Task.FromResult(state.RecordExists ? Roles : Membership.None);

    public async Task GrantAsync(Guid organization, OrgRole role)
    {
        _ = Current;
        if (Roles.Has(organization, role))
        {
            return;
        }

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
    }

    public async Task DeleteAsync()
    {
        _ = Current;
        var roles = Roles;
        await state.ClearStateAsync();
        _stored = Membership.None;
        await Task.WhenAll(RoleIndexes(roles).Append(Placement(Guid).Index).Select(index => Index(index).ReleaseAsync(Guid)));
        LogDeleted(Guid);
    }

    /// <summary>Stores new roles; the role holder indexes follow from them (the roles given up are left after the store).</summary>
    private async Task SaveAsync(Membership membership)
    {
        var left = RoleIndexes(Roles).Except(RoleIndexes(membership), StringComparer.Ordinal);
        await Commit.StoreAsync(state.State with { Membership = membership }, Outstanding.Work(left));
        _stored = membership;
    }

    /// <summary>After a store: the user in the users catalog and in the holder index of each role it holds, and out of those it gave up.</summary>
    private Task DeriveAsync(UserGrainState s, Outstanding owed)
    {
        if (s.User is not { } user)
        {
            return Task.CompletedTask;
        }

        var held = RoleIndexes(s.Membership ?? Membership.None).ToList();
        return Task.WhenAll(held.Select(index => Index(index).PutAsync(RoleEntry(user)))
            .Append(Index(Placement(Guid).Index).PutAsync(Entry(user)))
            .Concat(owed.Releases.Except(held, StringComparer.Ordinal).Select(index => Index(index).ReleaseAsync(Guid))));
    }

    /// <summary>The holder index of every role in <paramref name="roles"/>.</summary>
    private static IEnumerable<string> RoleIndexes(Membership roles) =>
        roles.Organizations.SelectMany(o => o.Value.Select(r => IndexKeys.RoleHolders(o.Key, r.ToString())))
            .Concat(roles.Spaces.SelectMany(s => s.Value.Roles.Select(r => IndexKeys.RoleHolders(s.Key, r.ToString()))));

    private IResourceIndexGrain Index(string key) => GrainFactory.GetGrain<IResourceIndexGrain>(key);

    private static IndexEntry RoleEntry(UserSnapshot user) =>
        new(user.Guid, user.UserName ?? user.Guid.ToString("D"), string.Empty, user.CreatedAt, []);

    private static IndexPlacement Placement(Guid guid) => IndexPlacement.Only(IndexKeys.Catalog(IndexKeys.Users, guid));

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

    /// <summary>Derived work the last stored change still owes (see <see cref="Storage.Outstanding"/>).</summary>
    [Id(2)] public Storage.Outstanding? Outstanding { get; init; }
}
