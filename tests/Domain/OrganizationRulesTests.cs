using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Organizations;
using CloudController.Grains.Organizations;

namespace CloudController.Tests.Domain;

public sealed class OrganizationRulesTests
{
    private static readonly DateTimeOffset Now = new(2016, 6, 30, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void CreateTrimsTheNameAndLeavesUpdatedAtNull()
    {
        var state = OrganizationRules.Create(new CreateOrganization("  acme ", false, "active", Guid.Empty), Now);

        Assert.Equal("acme", state.Name);
        Assert.Equal(Now, state.CreatedAt);
        Assert.Null(state.UpdatedAt);
    }

    [Fact]
    public void UpdateChangesOnlyGivenFieldsAndStampsUpdatedAt()
    {
        var state = OrganizationRules.Create(new CreateOrganization("acme", false, "active", Guid.Empty), Now);

        var next = OrganizationRules.Update(state, new UpdateOrganization(null, true, "suspended", null), Now.AddHours(1));

        Assert.Equal("acme", next.Name);
        Assert.True(next.BillingEnabled);
        Assert.Equal("suspended", next.Status);
        Assert.Equal(Now.AddHours(1), next.UpdatedAt);
    }

    [Theory]
    [InlineData("", "active")]
    [InlineData("a\u0007b", "active")]
    [InlineData("ok", "deleted")]
    public void InvalidNamesAndStatusesAreOrganizationInvalid(string name, string status)
    {
        var error = Assert.Throws<CloudControllerException>(() => OrganizationRules.Create(new CreateOrganization(name, false, status, Guid.Empty), Now));

        Assert.Equal(CfErrorCode.OrganizationInvalid, error.Code);
    }
}
