using System.Security.Cryptography;
using System.Text;

namespace CloudController.GrainInterfaces.Users;

/// <summary>v3's role types. Stored by name: add new ones, never rename.</summary>
public enum RoleType
{
    OrganizationUser,
    OrganizationAuditor,
    OrganizationManager,
    OrganizationBillingManager,
    SpaceAuditor,
    SpaceDeveloper,
    SpaceManager,
}

/// <summary>
/// A role as v3 shows it: one user's role of one type in one organization or space. A role is not stored on its own:
/// the user's membership holds it; its guid is derived from (user, scope, type), so v2 and v3 name the same role alike,
/// and a pointer grain (<see cref="IRoleGrain"/>) finds it by guid.
/// </summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Users.RoleSnapshot")]
public sealed record RoleSnapshot(
    [property: Id(0)] Guid Guid,
    [property: Id(1)] RoleType Type,
    [property: Id(2)] Guid UserGuid,
    [property: Id(3)] Guid? OrganizationGuid,
    [property: Id(4)] Guid? SpaceGuid,
    [property: Id(5)] DateTimeOffset CreatedAt)
{
    /// <summary>The organization or space the role is held in.</summary>
    public Guid Scope => SpaceGuid ?? OrganizationGuid ?? Guid.Empty;

    public static RoleSnapshot Of(RoleType type, Guid user, Guid scope, DateTimeOffset createdAt) =>
        Roles.IsSpaceRole(type)
            ? new(Roles.GuidOf(type, scope, user), type, user, null, scope, createdAt)
            : new(Roles.GuidOf(type, scope, user), type, user, scope, null, createdAt);
}

/// <summary>Role types between v3's names and the v2 roles the membership keeps.</summary>
public static class Roles
{
    public static IReadOnlyList<RoleType> OrganizationTypes { get; } =
        [RoleType.OrganizationUser, RoleType.OrganizationAuditor, RoleType.OrganizationManager, RoleType.OrganizationBillingManager];

    public static IReadOnlyList<RoleType> SpaceTypes { get; } = [RoleType.SpaceAuditor, RoleType.SpaceDeveloper, RoleType.SpaceManager];

    public static bool IsSpaceRole(RoleType type) => type >= RoleType.SpaceAuditor;

    /// <summary>v3's name: <c>organization_billing_manager</c>, <c>space_developer</c>, ...</summary>
    public static string Name(RoleType type) => type switch
    {
        RoleType.OrganizationUser => "organization_user",
        RoleType.OrganizationAuditor => "organization_auditor",
        RoleType.OrganizationManager => "organization_manager",
        RoleType.OrganizationBillingManager => "organization_billing_manager",
        RoleType.SpaceAuditor => "space_auditor",
        RoleType.SpaceDeveloper => "space_developer",
        _ => "space_manager",
    };

    public static RoleType? Parse(string name) =>
        Enum.GetValues<RoleType>().Where(t => Name(t) == name).Select(t => (RoleType?)t).FirstOrDefault();

    public static OrgRole OrgRoleOf(RoleType type) => type switch
    {
        RoleType.OrganizationUser => OrgRole.User,
        RoleType.OrganizationAuditor => OrgRole.Auditor,
        RoleType.OrganizationManager => OrgRole.Manager,
        RoleType.OrganizationBillingManager => OrgRole.BillingManager,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not an organization role"),
    };

    public static SpaceRole SpaceRoleOf(RoleType type) => type switch
    {
        RoleType.SpaceAuditor => SpaceRole.Auditor,
        RoleType.SpaceDeveloper => SpaceRole.Developer,
        RoleType.SpaceManager => SpaceRole.Manager,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a space role"),
    };

    public static RoleType TypeOf(OrgRole role) => role switch
    {
        OrgRole.User => RoleType.OrganizationUser,
        OrgRole.Auditor => RoleType.OrganizationAuditor,
        OrgRole.Manager => RoleType.OrganizationManager,
        _ => RoleType.OrganizationBillingManager,
    };

    public static RoleType TypeOf(SpaceRole role) => role switch
    {
        SpaceRole.Auditor => RoleType.SpaceAuditor,
        SpaceRole.Developer => RoleType.SpaceDeveloper,
        _ => RoleType.SpaceManager,
    };

    /// <summary>The v2 role name the membership and its holder indexes use (<c>Manager</c>, <c>Developer</c>, ...).</summary>
    public static string HolderName(RoleType type) => IsSpaceRole(type) ? SpaceRoleOf(type).ToString() : OrgRoleOf(type).ToString();

    /// <summary>Every role a membership holds, as (type, scope) pairs.</summary>
    public static IEnumerable<(RoleType Type, Guid Scope)> Held(Membership membership) =>
        membership.Organizations.SelectMany(o => o.Value.Select(r => (TypeOf(r), o.Key)))
            .Concat(membership.Spaces.SelectMany(s => s.Value.Roles.Select(r => (TypeOf(r), s.Key))));

    /// <summary>A role's guid: the same for the same user, scope and type, on every silo and in every version (name-based, RFC 9562 version 8).</summary>
    public static Guid GuidOf(RoleType type, Guid scope, Guid user)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes($"role/{Name(type)}/{scope:D}/{user:D}"));
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes.AsSpan(0, 16), bigEndian: true);
    }
}

/// <summary>
/// Finds a role by its guid (key): a pointer to the user, scope and type, written after the user's membership stores
/// the role. The membership is the truth: a pointer whose user no longer holds the role reads as no role.
/// </summary>
[Alias("CloudController.GrainInterfaces.Users.IRoleGrain")]
public interface IRoleGrain : IGrainWithGuidKey
{
    /// <summary>The role, or null when no user holds it.</summary>
    [Alias("FindAsync")]
    Task<RoleSnapshot?> FindAsync();

    [Alias("PutAsync")]
    Task PutAsync(RoleSnapshot role);

    [Alias("ClearAsync")]
    Task ClearAsync();
}
