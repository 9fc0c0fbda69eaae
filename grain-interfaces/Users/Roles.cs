using System.Collections.Immutable;

namespace CloudController.GrainInterfaces.Users;

/// <summary>Organization roles; <see cref="User"/> (org user) is what every other role in the org and its spaces needs.</summary>
public enum OrgRole { User, Manager, BillingManager, Auditor }

public enum SpaceRole { Developer, Manager, Auditor }

/// <summary>A user's roles in one space, with the space's organization (so leaving the org drops them).</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Users.SpaceMembership")]
public sealed record SpaceMembership(Guid OrganizationGuid, ImmutableSortedSet<SpaceRole> Roles);

/// <summary>Everything a user may see and do by role: the per-user record that authorization and filtered lists read.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Users.Membership")]
public sealed record Membership(
    ImmutableDictionary<Guid, ImmutableSortedSet<OrgRole>> Organizations,
    ImmutableDictionary<Guid, SpaceMembership> Spaces)
{
    public static readonly Membership None = new(ImmutableDictionary<Guid, ImmutableSortedSet<OrgRole>>.Empty, ImmutableDictionary<Guid, SpaceMembership>.Empty);

    public bool Has(Guid organization, OrgRole role) => Organizations.TryGetValue(organization, out var roles) && roles.Contains(role);

    public bool Has(Guid space, SpaceRole role) => Spaces.TryGetValue(space, out var membership) && membership.Roles.Contains(role);
}
