using System.Collections.Immutable;
using CloudController.GrainInterfaces.Access;
using CloudController.GrainInterfaces.Users;
using CloudController.Grains.Access;

namespace CloudController.Tests.Domain;

/// <summary>The role table itself: each role against each need, on its own space, another space of its org, and its org.</summary>
public sealed class AccessRulesTests
{
    private static readonly Guid Org = Guid.NewGuid();
    private static readonly Guid Space = Guid.NewGuid();
    private static readonly Guid OtherSpace = Guid.NewGuid();

    [Theory]
    // role, need, on own space, on another space of the org, on the org
    [InlineData("developer", AccessNeed.Read, "Allowed", "Hidden", "Allowed")]
    [InlineData("developer", AccessNeed.ReadSecrets, "Allowed", "Hidden", "Denied")]
    [InlineData("developer", AccessNeed.Develop, "Allowed", "Hidden", "Denied")]
    [InlineData("developer", AccessNeed.ManageSpace, "Denied", "Hidden", "Denied")]
    [InlineData("auditor", AccessNeed.Read, "Allowed", "Hidden", "Allowed")]
    [InlineData("auditor", AccessNeed.ReadSecrets, "Denied", "Hidden", "Denied")]
    [InlineData("auditor", AccessNeed.Develop, "Denied", "Hidden", "Denied")]
    [InlineData("space-manager", AccessNeed.ManageSpace, "Allowed", "Hidden", "Denied")]
    [InlineData("space-manager", AccessNeed.ManageOrganization, "Denied", "Hidden", "Denied")]
    [InlineData("org-manager", AccessNeed.Read, "Allowed", "Allowed", "Allowed")]
    [InlineData("org-manager", AccessNeed.ReadSecrets, "Denied", "Denied", "Denied")]
    [InlineData("org-manager", AccessNeed.Develop, "Denied", "Denied", "Denied")]
    [InlineData("org-manager", AccessNeed.ManageSpace, "Allowed", "Allowed", "Allowed")]
    [InlineData("org-manager", AccessNeed.ManageOrganization, "Allowed", "Allowed", "Allowed")]
    [InlineData("org-user", AccessNeed.Read, "Hidden", "Hidden", "Allowed")]
    [InlineData("none", AccessNeed.Read, "Hidden", "Hidden", "Hidden")]
    public void EachRoleGetsWhatCloudFoundryGives(string role, AccessNeed need, string ownSpace, string otherSpace, string organization)
    {
        var membership = MembershipOf(role);

        Assert.Equal(Enum.Parse<AccessVerdict>(ownSpace), AccessRules.Judge(membership, ReadPrivilege.None, Org, Space, need));
        Assert.Equal(Enum.Parse<AccessVerdict>(otherSpace), AccessRules.Judge(membership, ReadPrivilege.None, Org, OtherSpace, need));
        Assert.Equal(Enum.Parse<AccessVerdict>(organization), AccessRules.Judge(membership, ReadPrivilege.None, Org, null, need));
    }

    [Theory]
    [InlineData(ReadPrivilege.AdminReadOnly, AccessNeed.Read, "Allowed")]
    [InlineData(ReadPrivilege.AdminReadOnly, AccessNeed.ReadSecrets, "Allowed")]
    [InlineData(ReadPrivilege.AdminReadOnly, AccessNeed.Develop, "Denied")]
    [InlineData(ReadPrivilege.GlobalAuditor, AccessNeed.Read, "Allowed")]
    [InlineData(ReadPrivilege.GlobalAuditor, AccessNeed.ReadSecrets, "Denied")]
    [InlineData(ReadPrivilege.GlobalAuditor, AccessNeed.ManageOrganization, "Denied")]
    public void PlatformWideReadersReadWithoutRolesAndChangeNothing(ReadPrivilege privilege, AccessNeed need, string verdict) =>
        Assert.Equal(Enum.Parse<AccessVerdict>(verdict), AccessRules.Judge(Membership.None, privilege, Org, Space, need));

    [Fact]
    public void JobsAndUserRecordsBelongToTheirOwner()
    {
        var me = Guid.NewGuid();
        var caller = new AccessCaller(me.ToString("D").ToUpperInvariant(), ReadPrivilege.None);

        Assert.Equal(AccessVerdict.Allowed, AccessRules.JudgeJob(caller.Id, caller, AccessNeed.Read));
        Assert.Equal(AccessVerdict.Hidden, AccessRules.JudgeJob("someone-else", caller, AccessNeed.Read));
        Assert.Equal(AccessVerdict.Hidden, AccessRules.JudgeJob(null, caller, AccessNeed.Read));
        Assert.Equal(AccessVerdict.Allowed, AccessRules.JudgeJob(null, caller with { Privilege = ReadPrivilege.GlobalAuditor }, AccessNeed.Read));
        Assert.Equal(AccessVerdict.Allowed, AccessRules.JudgeUser(me, caller, AccessNeed.Read));
        Assert.Equal(AccessVerdict.Hidden, AccessRules.JudgeUser(Guid.NewGuid(), caller, AccessNeed.Read));
        Assert.Equal(AccessVerdict.Hidden, AccessRules.JudgeUser(me, caller, AccessNeed.ManageOrganization));
    }

    private static Membership MembershipOf(string role)
    {
        var orgRoles = role switch
        {
            "none" => [],
            "org-manager" => ImmutableSortedSet.Create(OrgRole.User, OrgRole.Manager),
            _ => ImmutableSortedSet.Create(OrgRole.User),
        };
        var spaceRole = role switch
        {
            "developer" => SpaceRole.Developer,
            "auditor" => SpaceRole.Auditor,
            "space-manager" => SpaceRole.Manager,
            _ => (SpaceRole?)null,
        };
        var spaces = spaceRole is { } r
            ? ImmutableDictionary<Guid, SpaceMembership>.Empty.Add(Space, new SpaceMembership(Org, [r]))
            : ImmutableDictionary<Guid, SpaceMembership>.Empty;
        var orgs = orgRoles.IsEmpty ? ImmutableDictionary<Guid, ImmutableSortedSet<OrgRole>>.Empty : ImmutableDictionary<Guid, ImmutableSortedSet<OrgRole>>.Empty.Add(Org, orgRoles);
        return new Membership(orgs, spaces);
    }
}
