using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Quotas;
using CloudController.Grains.Quotas;
using CloudController.Grains.Routes;

namespace CloudController.Tests.Domain;

/// <summary>The org quota checks and route validation, without a cluster.</summary>
public sealed class QuotaRulesTests
{
    private static readonly QuotaLimits Small = QuotaLimits.Default("small") with { MemoryLimit = 1024, InstanceMemoryLimit = 512, AppInstanceLimit = 3, TotalRoutes = 2 };

    [Fact]
    public void AStartWithinTheQuotaPassesAndEachLimitHasItsError()
    {
        QuotaRules.CheckApp(Small, null, new AppDemand(256, 2, Started: true), totalMemory: 512, totalInstances: 1);

        Assert.Equal(CfErrorCode.QuotaInstanceMemoryLimitExceeded,
            Assert.Throws<CloudControllerException>(() => QuotaRules.CheckApp(Small, null, new AppDemand(1024, 1, true), 0, 0)).Code);
        Assert.Equal(CfErrorCode.AppMemoryQuotaExceeded,
            Assert.Throws<CloudControllerException>(() => QuotaRules.CheckApp(Small, null, new AppDemand(512, 2, true), 256, 1)).Code);
        Assert.Equal(CfErrorCode.QuotaInstanceLimitExceeded,
            Assert.Throws<CloudControllerException>(() => QuotaRules.CheckApp(Small, null, new AppDemand(64, 3, true), 64, 1)).Code);
        Assert.Equal(CfErrorCode.OrgQuotaTotalRoutesExceeded, Assert.Throws<CloudControllerException>(() => QuotaRules.CheckRoutes(Small, 3)).Code);
        QuotaRules.CheckRoutes(Small with { TotalRoutes = QuotaLimits.Unlimited }, 10_000);
    }

    [Fact]
    public void UsingNoMoreAlwaysPassesSoAnOrgOverALoweredQuotaCanShrink()
    {
        var before = new AppDemand(512, 4, Started: true);

        QuotaRules.CheckApp(Small, before, new AppDemand(512, 3, true), totalMemory: 4096, totalInstances: 8);
        QuotaRules.CheckApp(Small, before, before with { Started = false }, totalMemory: 4096, totalInstances: 8);
        Assert.Equal(0, new AppDemand(512, 4, Started: false).Memory);
    }

    [Fact]
    public void QuotaLimitsBelowUnlimitedOrWithoutANameAreInvalid()
    {
        Assert.Equal(CfErrorCode.QuotaDefinitionInvalid, Assert.Throws<CloudControllerException>(() => QuotaRules.Valid(Small with { MemoryLimit = -2 })).Code);
        Assert.Equal(CfErrorCode.QuotaDefinitionInvalid, Assert.Throws<CloudControllerException>(() => QuotaRules.Valid(Small with { Name = " " })).Code);
        Assert.Equal("small", QuotaRules.Valid(Small with { Name = " small " }).Name);
    }

    [Theory]
    [InlineData("www", "www")]
    [InlineData("WWW", "www")]
    [InlineData("*", "*")]
    [InlineData("", "")]
    public void RouteHostsAreLowerCasedLabelsOrAWildcard(string host, string expected) => Assert.Equal(expected, RouteRules.ValidHost(host));

    [Theory]
    [InlineData("a b")]
    [InlineData("a.b")]
    [InlineData("/path")]
    public void OtherHostsAreRouteInvalid(string host) =>
        Assert.Equal(CfErrorCode.RouteInvalid, Assert.Throws<CloudControllerException>(() => RouteRules.ValidHost(host)).Code);

    [Theory]
    [InlineData("/")]
    [InlineData("api")]
    [InlineData("/a?b")]
    public void PathsMustStartWithASlashAndBeMoreThanOne(string path) =>
        Assert.Equal(CfErrorCode.RouteInvalid, Assert.Throws<CloudControllerException>(() => RouteRules.ValidPath(path)).Code);
}
