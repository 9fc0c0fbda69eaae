using System.Collections.Immutable;
using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Bits;
using CloudController.GrainInterfaces.Droplets;
using CloudController.GrainInterfaces.Errors;
using CloudController.Grains.Apps;

namespace CloudController.Tests.Domain;

/// <summary>The app's state machine (<see cref="AppTransitions"/>) and its stored form (<see cref="StoredApp"/>, <see cref="AppRecordV1"/>).</summary>
public sealed class AppTransitionsTests
{
    private static readonly DateTimeOffset Now = new(2016, 6, 30, 12, 0, 0, TimeSpan.Zero);
    private static readonly Guid Space = Guid.NewGuid();
    private static readonly Guid Stack = Guid.NewGuid();

    [Fact]
    public void CreateAppliesCloudControllerDefaults()
    {
        var version = Guid.NewGuid();
        var guid = Guid.NewGuid();

        var app = AppTransitions.Create(guid, Fields(), Now, version);
        var snapshot = app.ToSnapshot(guid);

        Assert.Equal(AppState.Stopped, app.State);
        Assert.Equal(AppPackageState.Pending, app.PackageState);
        Assert.Equal(guid, Assert.Single(app.Processes).Guid);
        Assert.Equal((1024, 1, 1024, "port"), (snapshot.Memory, snapshot.Instances, snapshot.DiskQuota, snapshot.HealthCheckType));
        Assert.Equal("", snapshot.DetectedStartCommand);
        Assert.Equal("{}", app.EnvironmentJson);
        Assert.Equal(version, app.Version);
        Assert.Null(app.Ports);
        Assert.Null(app.UpdatedAt);
        Assert.Null(app.PackageUpdatedAt);
    }

    [Fact]
    public void DiegoAppsGetPort8080()
    {
        var app = AppTransitions.Create(Guid.NewGuid(), Fields() with { Diego = true }, Now, Guid.NewGuid());

        Assert.Equal([8080], app.Ports!.Value.ToArray());
    }

    [Fact]
    public void CreatingAStartedAppWithoutBitsIsAppPackageInvalid()
    {
        var error = Assert.Throws<CloudControllerException>(() => AppTransitions.Create(Guid.NewGuid(), Fields() with { State = AppState.Started }, Now, Guid.NewGuid()));

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

        var error = Assert.Throws<CloudControllerException>(() => AppTransitions.Create(Guid.NewGuid(), fields, Now, Guid.NewGuid()));

        Assert.Equal(expected, error.Code);
    }

    [Fact]
    public void UpdatingAStoppedAppKeepsItsVersion()
    {
        var app = AppTransitions.Create(Guid.NewGuid(), Fields(), Now, Guid.NewGuid());

        var (next, stage) = AppTransitions.Update(app, new AppFields { Memory = 512 }, Now.AddMinutes(1), Guid.NewGuid());

        Assert.Equal(app.Version, next.Version);
        Assert.Equal(512, next.Web.Memory);
        Assert.Equal(Now.AddMinutes(1), next.UpdatedAt);
        Assert.False(stage);
    }

    [Fact]
    public void StartingRequiresBitsThenRegeneratesVersionAndStagesWhatIsNotStaged()
    {
        var app = AppTransitions.Create(Guid.NewGuid(), Fields(), Now, Guid.NewGuid());
        var withBits = app with { Package = new StoredPackage(Guid.NewGuid(), "abc", 1) };
        var staged = withBits with { PackageState = AppPackageState.Staged, CurrentDropletGuid = Guid.NewGuid() };
        var newVersion = Guid.NewGuid();

        var error = Assert.Throws<CloudControllerException>(() => AppTransitions.Update(app, new AppFields { State = AppState.Started }, Now, Guid.NewGuid()));
        var (started, stage) = AppTransitions.Update(withBits, new AppFields { State = AppState.Started }, Now, newVersion);
        var (restarted, stageAgain) = AppTransitions.Update(staged, new AppFields { State = AppState.Started }, Now, newVersion);

        Assert.Equal(CfErrorCode.AppPackageInvalid, error.Code);
        Assert.Equal((AppState.Started, newVersion, true), (started.State, started.Version, stage));
        Assert.Equal((AppState.Started, false), (restarted.State, stageAgain));
    }

    [Fact]
    public void ChangingTheBuildpackMarksTheAppForStaging()
    {
        var failed = AppTransitions.Create(Guid.NewGuid(), Fields(), Now, Guid.NewGuid()) with
        {
            Package = new StoredPackage(Guid.NewGuid(), "abc", 1),
            PackageState = AppPackageState.Failed,
            StagingFailedReason = "StagingError",
        };

        var (next, _) = AppTransitions.Update(failed, new AppFields { Buildpack = "ruby_buildpack" }, Now, Guid.NewGuid());

        Assert.Equal(AppPackageState.Pending, next.PackageState);
        Assert.Null(next.StagingFailedReason);
    }

    [Fact]
    public void AnExplicitNullClearsANullableField()
    {
        var app = AppTransitions.Create(Guid.NewGuid(), Fields() with { Command = "run" }, Now, Guid.NewGuid());

        var (next, _) = AppTransitions.Update(app, new AppFields { Cleared = [AppSetting.Command] }, Now, Guid.NewGuid());

        Assert.Null(next.Web.Command);
    }

    [Fact]
    public void AStagingOutcomeOfASupersededStagingIsIgnored()
    {
        var current = Guid.NewGuid();
        var app = Staging(current);

        var stale = AppTransitions.CompleteStaging(app, Droplet(Guid.NewGuid(), app.Staging!.PackageGuid, DropletState.Staged), Now);
        var fresh = AppTransitions.CompleteStaging(app, Droplet(current, app.Staging!.PackageGuid, DropletState.Staged), Now);

        Assert.Equal(app, stale);
        Assert.Equal(AppPackageState.Staged, fresh.PackageState);
        Assert.Null(fresh.Staging);
        Assert.Equal("nodejs_buildpack", fresh.DetectedBuildpack);
        Assert.Equal("npm start", fresh.Web.DetectedCommand);
        Assert.Equal(current, fresh.CurrentDropletGuid);
    }

    /// <summary>The race: new bits arrive while the old bits stage. The old outcome is stale; a started app stages the new bits.</summary>
    [Fact]
    public void NewBitsDuringAStagingMakeItsOutcomeStaleAndStageTheNewBits()
    {
        var oldDroplet = Guid.NewGuid();
        var app = Staging(oldDroplet);
        var oldPackage = app.Staging!.PackageGuid;

        var (withNewBits, stage) = AppTransitions.SetPackage(app, new PackageInfo(Guid.NewGuid(), "def", 20), Now);
        var lateOldOutcome = AppTransitions.CompleteStaging(withNewBits, Droplet(oldDroplet, oldPackage, DropletState.Staged), Now);
        var newDroplet = Guid.NewGuid();
        var restaging = AppTransitions.BeginStaging(withNewBits, newDroplet);
        var oldOutcomeAfterRestage = AppTransitions.CompleteStaging(restaging, Droplet(oldDroplet, oldPackage, DropletState.Staged), Now);
        var newOutcome = AppTransitions.CompleteStaging(restaging, Droplet(newDroplet, withNewBits.Package!.PackageGuid, DropletState.Staged), Now);

        Assert.True(stage);
        Assert.Null(withNewBits.Staging);
        Assert.Equal(AppPackageState.Pending, withNewBits.PackageState);
        Assert.Equal(withNewBits, lateOldOutcome);
        Assert.Equal(restaging, oldOutcomeAfterRestage);
        Assert.Equal((AppPackageState.Staged, newDroplet), (newOutcome.PackageState, newOutcome.CurrentDropletGuid));
    }

    [Fact]
    public void TheSameBitsAgainChangeOnlyTheTimes()
    {
        var app = Staging(Guid.NewGuid()) with { PackageState = AppPackageState.Staged, Staging = null };

        var (next, stage) = AppTransitions.SetPackage(app, new PackageInfo(Guid.NewGuid(), "abc", 10), Now.AddHours(1));

        Assert.False(stage);
        Assert.Equal(AppPackageState.Staged, next.PackageState);
        Assert.Equal(Now.AddHours(1), next.PackageUpdatedAt);
    }

    [Fact]
    public void AFailedStagingRecordsReasonAndDescriptionAndStopsDiegoApps()
    {
        var droplet = Guid.NewGuid();
        var dea = Staging(droplet);
        var package = dea.Staging!.PackageGuid;

        var failed = AppTransitions.CompleteStaging(dea, Droplet(droplet, package, DropletState.Failed, "NoAppDetectedError"), Now);
        var diego = AppTransitions.CompleteStaging(dea with { Diego = true }, Droplet(droplet, package, DropletState.Failed, "StagingError"), Now);

        Assert.Equal(AppPackageState.Failed, failed.PackageState);
        Assert.Equal("NoAppDetectedError", failed.StagingFailedReason);
        Assert.Equal("An app was not successfully detected by any available buildpack", failed.StagingFailedDescription);
        Assert.Equal(AppState.Started, failed.State);
        Assert.Equal("Staging error: staging failed", diego.StagingFailedDescription);
        Assert.Equal(AppState.Stopped, diego.State);
    }

    [Fact]
    public void RestageIsRefusedWhilePendingOrWithoutBits()
    {
        var pending = Staging(Guid.NewGuid());
        var noBits = pending with { Package = null, PackageState = AppPackageState.Staged };

        Assert.Equal(CfErrorCode.NotStaged, Assert.Throws<CloudControllerException>(() => AppTransitions.Restage(pending, Now, Guid.NewGuid(), Guid.NewGuid(), stagingInFlight: true)).Code);
        Assert.Equal(CfErrorCode.AppPackageInvalid, Assert.Throws<CloudControllerException>(() => AppTransitions.Restage(noBits, Now, Guid.NewGuid(), Guid.NewGuid(), stagingInFlight: false)).Code);
    }

    [Fact]
    public void APendingAppWhoseStagingIsNotInFlightMayRestage()
    {
        var droplet = Guid.NewGuid();

        var next = AppTransitions.Restage(Staging(Guid.NewGuid()), Now, Guid.NewGuid(), droplet, stagingInFlight: false);

        Assert.Equal(droplet, next.StagingTaskId);
        Assert.Equal(droplet, next.Staging!.DropletGuid);
    }

    [Fact]
    public void RestageStartsAStoppedStagedAppWithANewVersion()
    {
        var staged = Staging(Guid.NewGuid()) with { PackageState = AppPackageState.Staged, State = AppState.Stopped, Staging = null };
        var version = Guid.NewGuid();
        var droplet = Guid.NewGuid();

        var next = AppTransitions.Restage(staged, Now, version, droplet, stagingInFlight: false);

        Assert.Equal(AppState.Started, next.State);
        Assert.Equal(AppPackageState.Pending, next.PackageState);
        Assert.Equal(version, next.Version);
        Assert.Equal(new StagingRef(droplet, staged.Package!.PackageGuid), next.Staging);
    }

    [Fact]
    public void ADropletsTypesBecomeProcessesKeepingTheirSettings()
    {
        var droplet = Guid.NewGuid();
        var app = Staging(droplet);
        var types = ImmutableDictionary<string, string>.Empty.Add("web", "npm start").Add("worker", "node w.js");
        var staged = AppTransitions.CompleteStaging(app, Droplet(droplet, app.Staging!.PackageGuid, DropletState.Staged) with { ProcessTypes = types }, Now);
        var scaled = AppTransitions.UpdateProcess(staged, "worker", new ProcessFields { Instances = 2 }, Now);

        var restaged = AppTransitions.SyncProcesses(scaled, Droplet(Guid.NewGuid(), Guid.NewGuid(), DropletState.Staged) with
        {
            ProcessTypes = types.SetItem("worker", "node w2.js").Add("clock", "node c.js"),
        }, Now, Guid.NewGuid);

        Assert.Equal(["web", "worker"], staged.Processes.Select(p => p.Type));
        Assert.Equal((0, 1024, "process"), (staged.Process("worker")!.Instances, staged.Process("worker")!.Memory, staged.Process("worker")!.HealthCheckType));
        Assert.Equal(["web", "clock", "worker"], restaged.Processes.Select(p => p.Type));
        Assert.Equal((2, "node w2.js"), (restaged.Process("worker")!.Instances, restaged.Process("worker")!.DetectedCommand));
        Assert.Throws<CloudControllerException>(() => AppTransitions.UpdateProcess(staged, "clock", new ProcessFields { Instances = 1 }, Now));
    }

    /// <summary>Schema 1 (the wire snapshot, web's settings on the app) reads as schema 2 with every field, the staging in flight kept.</summary>
    [Fact]
    public void ASchemaOneAppMigratesWithEveryField()
    {
        var (guid, droplet, package, worker) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        var v1 = new AppRecordV1
        {
            Guid = guid, Name = "old", SpaceGuid = Space, StackGuid = Stack, Buildpack = "bp", EnvironmentJson = "{\"A\":\"1\"}",
            Memory = 256, Instances = 3, DiskQuota = 512, State = AppState.Started, Command = "run", StagingTaskId = droplet.ToString("D"),
            PackageState = AppPackageState.Pending, HealthCheckType = "http", HealthCheckTimeout = 60, HealthCheckHttpEndpoint = "/h",
            DetectedStartCommand = "start", PackageHash = "abc", Package = new StoredPackage(package, "abc", 10), CreatedAt = Now,
            OtherProcesses = [new ProcessRecordV1 { Guid = worker, Type = "worker", Instances = 2, Memory = 128, DiskQuota = 64, DetectedCommand = "w" }],
        };

        var app = v1.Migrate();
        var snapshot = app.ToSnapshot(guid);

        Assert.Equal(new StagingRef(droplet, package), app.Staging);
        Assert.Equal((256, 3, 512, "run", "start"), (snapshot.Memory, snapshot.Instances, snapshot.DiskQuota, snapshot.Command, snapshot.DetectedStartCommand));
        Assert.Equal(("http", 60, "/h"), (snapshot.HealthCheckType, snapshot.HealthCheckTimeout, snapshot.HealthCheckHttpEndpoint));
        Assert.Equal((droplet.ToString("D"), "abc", "bp"), (snapshot.StagingTaskId, snapshot.PackageHash, snapshot.Buildpack));
        Assert.Equal((worker, 2, 128, "w"), (snapshot.OtherProcesses!.Value[0].Guid, snapshot.OtherProcesses!.Value[0].Instances,
            snapshot.OtherProcesses!.Value[0].Memory, snapshot.OtherProcesses!.Value[0].DetectedCommand));
        Assert.Equal(guid, app.Web.Guid);
    }

    private static AppFields Fields() => new() { Name = "web", SpaceGuid = Space, StackGuid = Stack };

    private static StoredApp Staging(Guid droplet)
    {
        var package = Guid.NewGuid();
        return AppTransitions.Create(Guid.NewGuid(), Fields(), Now, Guid.NewGuid()) with
        {
            State = AppState.Started,
            PackageState = AppPackageState.Pending,
            Package = new StoredPackage(package, "abc", 10),
            Staging = new StagingRef(droplet, package),
            StagingTaskId = droplet,
        };
    }

    private static DropletSnapshot Droplet(Guid guid, Guid package, DropletState state, string? reason = null) =>
        new(guid, Guid.NewGuid(), package, state, state == DropletState.Staged ? "nodejs_buildpack" : null,
            state == DropletState.Staged ? "npm start" : null, reason, reason, null, Now, Now);
}
