using System.Collections.Immutable;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Indexes;
using CloudController.GrainInterfaces.Users;
using Rules = CloudController.GrainInterfaces.Users.Roles;
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

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _stored = state.RecordExists ? Roles : Membership.None;
        await Commit.ResumeAsync();
        if (state.RecordExists && state.State.User is not null && !state.State.RolePointersWritten)
        {
            // Roles granted before roles had guids: their pointers are written once, from the stored membership.
            var all = HeldRoles(state.State).Select(r => r.Guid);
            await Commit.StoreAsync(state.State with { RolePointersWritten = true }, new Outstanding { PointerPuts = [.. all] });
        }
    }

    public async Task<UserSnapshot> CreateAsync(string? userName, Guid? defaultSpaceGuid)
    {
        if (state.RecordExists)
        {
            throw Taken();
        }

        var user = new UserSnapshot(Guid, userName, Admin: false, Active: false, defaultSpaceGuid, clock.GetUtcNow(), null);
        await Commit.StoreAsync(new UserGrainState { User = user, Membership = Membership.None, RolePointersWritten = true }, Outstanding.Work());
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
        if (state.RecordExists && state.State.User is { } user && index == Placement(Guid).Index)
        {
            await Index(index).PutAsync(Entry(user));
            return true;
        }

        if (state.RecordExists && state.State.User is { } holder && HeldRoles(state.State).FirstOrDefault(r => HolderIndex(r) == index) is { } role)
        {
            await Index(index).PutAsync(RoleEntry(holder, role));
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

    public Task<ImmutableArray<RoleSnapshot>> RolesAsync() =>
        Task.FromResult(state.RecordExists && state.State.User is not null ? HeldRoles(state.State) : []);

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
        var pointers = HeldRoles(state.State).Select(r => r.Guid).ToList();
        await state.ClearStateAsync();
        _stored = Membership.None;
        await Task.WhenAll(RoleIndexes(roles).Append(Placement(Guid).Index).Select(index => Index(index).ReleaseAsync(Guid))
            .Concat(pointers.Select(p => GrainFactory.GetGrain<IRoleGrain>(p).ClearAsync())));
        LogDeleted(Guid);
    }

    /// <summary>
    /// Stores new roles, with when each new one was granted; the role holder indexes and role pointers follow from them
    /// (the roles given up are left, and their pointers cleared, after the store).
    /// </summary>
    private async Task SaveAsync(Membership membership)
    {
        var left = RoleIndexes(Roles).Except(RoleIndexes(membership), StringComparer.Ordinal);
        var before = HeldRoles(state.State).Select(r => r.Guid).ToHashSet();
        var granted = state.State.GrantedAt ?? ImmutableDictionary<Guid, DateTimeOffset>.Empty;
        var now = clock.GetUtcNow();
        var after = Rules.Held(membership).Select(r => Rules.GuidOf(r.Type, r.Scope, Guid)).ToHashSet();
        var gained = after.Except(before).ToList();
        var lost = before.Except(after).ToList();
        granted = granted.RemoveRange(lost).SetItems(gained.Select(g => KeyValuePair.Create(g, now)));
        await Commit.StoreAsync(state.State with { Membership = membership, GrantedAt = granted },
            Outstanding.Work(left) with { PointerPuts = [.. gained], PointerClears = [.. lost] });
        _stored = membership;
    }

    /// <summary>The roles a stored user holds, each with when it was granted (the user's creation for roles older than that record).</summary>
    private ImmutableArray<RoleSnapshot> HeldRoles(UserGrainState s)
    {
        var granted = s.GrantedAt ?? ImmutableDictionary<Guid, DateTimeOffset>.Empty;
        var created = s.User?.CreatedAt ?? DateTimeOffset.UnixEpoch;
        return [.. Rules.Held(s.Membership ?? Membership.None).Select(r =>
            RoleSnapshot.Of(r.Type, Guid, r.Scope, granted.GetValueOrDefault(Rules.GuidOf(r.Type, r.Scope, Guid), created)))];
    }

    /// <summary>After a store: the user in the users catalog and in the holder index of each role it holds, and out of those it gave up.</summary>
    private Task DeriveAsync(UserGrainState s, Outstanding owed)
    {
        if (s.User is not { } user)
        {
            return Task.CompletedTask;
        }

        var roles = HeldRoles(s);
        var held = roles.Select(HolderIndex).ToList();
        var pointers = roles.Where(r => owed.PointerPuts.Contains(r.Guid)).Select(r => GrainFactory.GetGrain<IRoleGrain>(r.Guid).PutAsync(r))
            .Concat(owed.PointerClears.Where(p => roles.All(r => r.Guid != p)).Select(p => GrainFactory.GetGrain<IRoleGrain>(p).ClearAsync()));
        return Task.WhenAll(roles.Select(r => Index(HolderIndex(r)).PutAsync(RoleEntry(user, r)))
            .Append(Index(Placement(Guid).Index).PutAsync(Entry(user)))
            .Concat(owed.Releases.Except(held, StringComparer.Ordinal).Select(index => Index(index).ReleaseAsync(Guid)))
            .Concat(pointers));
    }

    /// <summary>The holder index of every role in <paramref name="roles"/>.</summary>
    private static IEnumerable<string> RoleIndexes(Membership roles) =>
        Rules.Held(roles).Select(r => IndexKeys.RoleHolders(r.Scope, Rules.HolderName(r.Type)));

    private static string HolderIndex(RoleSnapshot role) => IndexKeys.RoleHolders(role.Scope, Rules.HolderName(role.Type));

    private IResourceIndexGrain Index(string key) => GrainFactory.GetGrain<IResourceIndexGrain>(key);

    /// <summary>A holder index entry: the user by name, at the time the role was granted (role lists are in that order).</summary>
    private static IndexEntry RoleEntry(UserSnapshot user, RoleSnapshot role) =>
        new(user.Guid, user.UserName ?? user.Guid.ToString("D"), string.Empty, role.CreatedAt, []);

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

    /// <summary>When each role (by its guid) was granted; roles older than this record have none.</summary>
    [Id(3)] public ImmutableDictionary<Guid, DateTimeOffset>? GrantedAt { get; init; }

    /// <summary>Whether the pointers of the roles held before roles had guids have been written.</summary>
    [Id(4)] public bool RolePointersWritten { get; init; }
}
