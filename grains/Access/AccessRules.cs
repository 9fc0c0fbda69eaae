using CloudController.GrainInterfaces.Access;
using CloudController.GrainInterfaces.Users;

namespace CloudController.Grains.Access;

/// <summary>
/// Who may do what, as the Cloud Controller decides it (pure: the inputs are fetched by <see cref="AccessGrain"/>).
/// An organization is seen by its users, managers, billing managers and auditors; a space by its developers, managers
/// and auditors and by its organization's managers; apps, packages and droplets as their space.
/// </summary>
public static class AccessRules
{
    /// <summary>The verdict on an organization (<paramref name="space"/> null) or on a space and what it holds.</summary>
    public static AccessVerdict Judge(Membership membership, ReadPrivilege privilege, Guid organization, Guid? space, AccessNeed need)
    {
        var orgManager = membership.Has(organization, OrgRole.Manager);
        var spaceRoles = space is { } s && membership.Spaces.TryGetValue(s, out var m) ? m.Roles : [];
        var visible = privilege != ReadPrivilege.None || (space is null
            ? membership.Organizations.TryGetValue(organization, out var orgRoles) && !orgRoles.IsEmpty
            : orgManager || !spaceRoles.IsEmpty);
        var allowed = need switch
        {
            AccessNeed.Read => visible,
            AccessNeed.ReadSecrets => privilege == ReadPrivilege.AdminReadOnly || spaceRoles.Contains(SpaceRole.Developer),
            AccessNeed.Develop => spaceRoles.Contains(SpaceRole.Developer),
            AccessNeed.ManageSpace => orgManager || spaceRoles.Contains(SpaceRole.Manager),
            _ => orgManager,
        };
        return allowed ? AccessVerdict.Allowed : visible ? AccessVerdict.Denied : AccessVerdict.Hidden;
    }

    /// <summary>Jobs belong to whoever started them; platform-wide readers read them too.</summary>
    public static AccessVerdict JudgeJob(string? owner, AccessCaller caller, AccessNeed need) =>
        owner == caller.Id || (need == AccessNeed.Read && caller.Privilege != ReadPrivilege.None) ? AccessVerdict.Allowed : AccessVerdict.Hidden;

    /// <summary>A user record is read by its own user and platform-wide readers; changed through other routes only.</summary>
    public static AccessVerdict JudgeUser(Guid user, AccessCaller caller, AccessNeed need) =>
        need == AccessNeed.Read && (IsSelf(user, caller) || caller.Privilege != ReadPrivilege.None) ? AccessVerdict.Allowed : AccessVerdict.Hidden;

    public static bool IsSelf(Guid user, AccessCaller caller) => Guid.TryParse(caller.Id, out var id) && id == user;

    /// <summary>Whether the membership names any organization the caller manages (only then does a space's organization matter).</summary>
    public static bool ManagesAny(Membership membership) => membership.Organizations.Values.Any(r => r.Contains(OrgRole.Manager));
}
