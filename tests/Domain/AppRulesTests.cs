using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Errors;
using CloudController.Grains.Apps;

namespace CloudController.Tests.Domain;

public sealed class AppRulesTests
{
    private static readonly DateTimeOffset Now = new(2016, 6, 30, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid Space = Guid.NewGuid();
    private static readonly Guid Stack = Guid.NewGuid();

    [Fact]
    public void CreateAppliesCloudControllerDefaults()
    {
        var version = Guid.NewGuid();

        var app = AppRules.Create(Guid.NewGuid(), Fields(), Now, version);

        Assert.Equal(AppState.Stopped, app.State);
        Assert.Equal(AppPackageState.Pending, app.PackageState);
        Assert.Equal(1024, app.Memory);
        Assert.Equal(1, app.Instances);
        Assert.Equal(1024, app.DiskQuota);
        Assert.Equal("port", app.HealthCheckType);
        Assert.Equal("", app.DetectedStartCommand);
        Assert.Equal("{}", app.EnvironmentJson);
        Assert.Equal(version, app.Version);
        Assert.Null(app.Ports);
        Assert.Null(app.UpdatedAt);
        Assert.Null(app.PackageUpdatedAt);
    }

    [Fact]
    public void DiegoAppsGetPort8080()
    {
        var app = AppRules.Create(Guid.NewGuid(), Fields() with { Diego = true }, Now, Guid.NewGuid());

        Assert.Equal([8080], app.Ports!.Value.ToArray());
    }

    [Fact]
    public void CreatingAStartedAppWithoutBitsIsAppPackageInvalid()
    {
        var error = Assert.Throws<CloudControllerException>(() => AppRules.Create(Guid.NewGuid(), Fields() with { State = AppState.Started }, Now, Guid.NewGuid()));

        Assert.Equal(CfErrorCode.AppPackageInvalid, error.Code);
        Assert.Equal("The app package is invalid: bits have not been uploaded", error.Message);
    }

    [Theory]
    [InlineData("memory", CfErrorCode.AppMemoryInvalid)]
    [InlineData("instances", CfErrorCode.AppInvalid)]
    [InlineData("disk_quota", CfErrorCode.AppInvalid)]
    [InlineData("health_check_type", CfErrorCode.AppInvalid)]
    [InlineData("health_check_timeout", CfErrorCode.AppInvalid)]
    [InlineData("environment_json", CfErrorCode.AppInvalid)]
    [InlineData("name", CfErrorCode.AppInvalid)]
    public void InvalidValuesAreRejected(string field, CfErrorCode expected)
    {
        var fields = field switch
        {
            "memory" => Fields() with { Memory = 0 },
            "instances" => Fields() with { Instances = -1 },
            "disk_quota" => Fields() with { DiskQuota = 2049 },
            "health_check_type" => Fields() with { HealthCheckType = "http2" },
            "health_check_timeout" => Fields() with { HealthCheckTimeout = 181 },
            "environment_json" => Fields() with { EnvironmentJson = "{\"VCAP_SERVICES\":\"x\"}" },
            _ => Fields() with { Name = "  " },
        };

        var error = Assert.Throws<CloudControllerException>(() => AppRules.Create(Guid.NewGuid(), fields, Now, Guid.NewGuid()));

        Assert.Equal(expected, error.Code);
    }

    [Fact]
    public void UpdatingAStoppedAppKeepsItsVersion()
    {
        var app = AppRules.Create(Guid.NewGuid(), Fields(), Now, Guid.NewGuid());

        var next = AppRules.Update(app, new AppFields { Memory = 512 }, Now.AddMinutes(1), Guid.NewGuid());

        Assert.Equal(app.Version, next.Version);
        Assert.Equal(512, next.Memory);
        Assert.Equal(Now.AddMinutes(1), next.UpdatedAt);
    }

    [Fact]
    public void StartingRequiresBitsAndThenRegeneratesVersion()
    {
        var app = AppRules.Create(Guid.NewGuid(), Fields(), Now, Guid.NewGuid());
        var withBits = app with { PackageHash = "abc", PackageState = AppPackageState.Staged };
        var newVersion = Guid.NewGuid();

        var error = Assert.Throws<CloudControllerException>(() => AppRules.Update(app, new AppFields { State = AppState.Started }, Now, Guid.NewGuid()));
        var started = AppRules.Update(withBits, new AppFields { State = AppState.Started }, Now, newVersion);

        Assert.Equal(CfErrorCode.AppPackageInvalid, error.Code);
        Assert.Equal(AppState.Started, started.State);
        Assert.Equal(newVersion, started.Version);
    }

    [Fact]
    public void ChangingTheBuildpackMarksTheAppForStaging()
    {
        var staged = AppRules.Create(Guid.NewGuid(), Fields(), Now, Guid.NewGuid()) with
        {
            PackageHash = "abc",
            PackageState = AppPackageState.Failed,
            StagingFailedReason = "StagingError",
        };

        var next = AppRules.Update(staged, new AppFields { Buildpack = "ruby_buildpack" }, Now, Guid.NewGuid());

        Assert.Equal(AppPackageState.Pending, next.PackageState);
        Assert.Null(next.StagingFailedReason);
    }

    [Fact]
    public void AnExplicitNullClearsANullableField()
    {
        var app = AppRules.Create(Guid.NewGuid(), Fields() with { Command = "run" }, Now, Guid.NewGuid());

        var next = AppRules.Update(app, new AppFields { Cleared = [AppSetting.Command] }, Now, Guid.NewGuid());

        Assert.Null(next.Command);
    }

    private static AppFields Fields() => new() { Name = "web", SpaceGuid = Space, StackGuid = Stack };
}
