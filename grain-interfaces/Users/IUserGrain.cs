namespace CloudController.GrainInterfaces.Users;

/// <summary>A Cloud Controller user (key: the UAA user id).</summary>
[Alias("CloudController.GrainInterfaces.Users.IUserGrain")]
public interface IUserGrain : Indexes.IIndexedGrain
{
    /// <summary>Records the user; raises UaaIdTaken when it exists. <paramref name="userName"/> is UAA's, when known.</summary>
    [Alias("CreateAsync")]
    Task<UserSnapshot> CreateAsync(string? userName, Guid? defaultSpaceGuid);

    /// <summary>The user; raises UserNotFound.</summary>
    [Alias("GetAsync")]
    Task<UserSnapshot> GetAsync();

    [Alias("FindAsync")]
    Task<UserSnapshot?> FindAsync();

    /// <summary>The user, recorded now (with <paramref name="userName"/>) if it was not: CF records a user on first sight.</summary>
    [Alias("EnsureAsync")]
    Task<UserSnapshot> EnsureAsync(string? userName);

    /// <summary>The user's roles (none for an unknown user).</summary>
    [Alias("MembershipAsync"), Orleans.Concurrency.ReadOnly]
    Task<Membership> MembershipAsync();

    /// <summary>The user's roles as v3 shows them, with when each was granted (none for an unknown user).</summary>
    [Alias("RolesAsync"), Orleans.Concurrency.ReadOnly]
    Task<System.Collections.Immutable.ImmutableArray<RoleSnapshot>> RolesAsync();

    /// <summary>
    /// The access decision for this user as the caller, judged on its own stored roles (no membership call). It
    /// interleaves with everything: it waits on the resource's grain, and deleting an org or space revokes roles
    /// here, so queueing behind writes could deadlock. Only for org, space, app, package, droplet and build resources.
    /// </summary>
    [Alias("DecideAsync"), Orleans.Concurrency.AlwaysInterleave]
    Task<Access.AccessDecision> DecideAsync(Access.AccessCaller caller, Access.AccessKind kind, Guid guid, Access.AccessNeed need);

    [Alias("GrantOrgRoleAsync")]
    Task GrantAsync(Guid organization, OrgRole role);

    /// <summary>Takes an org role away; taking <see cref="OrgRole.User"/> also ends the user's space roles in that org.</summary>
    [Alias("RevokeOrgRoleAsync")]
    Task RevokeAsync(Guid organization, OrgRole role);

    /// <summary>Grants a space role; raises InvalidRelation unless the user is an org user of the space's organization.</summary>
    [Alias("GrantSpaceRoleAsync")]
    Task GrantAsync(Guid organization, Guid space, SpaceRole role);

    [Alias("RevokeSpaceRoleAsync")]
    Task RevokeAsync(Guid space, SpaceRole role);

    /// <summary>Removes the user; raises UserNotFound.</summary>
    [Alias("DeleteAsync")]
    Task DeleteAsync();
}
