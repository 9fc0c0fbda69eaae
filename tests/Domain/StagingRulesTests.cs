using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Bits;
using CloudController.GrainInterfaces.Droplets;
using CloudController.GrainInterfaces.Errors;
using CloudController.Grains.Apps;
using CloudController.Grains.Staging;

namespace CloudController.Tests.Domain;

public sealed class StagingRulesTests
{
    private static readonly DateTimeOffset Now = new(2016, 6, 30, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("package.json", "nodejs_buildpack", "npm start")]
    [InlineData("web.csproj", "dotnet_core_buildpack", "cd ${HOME} && exec ./web")]
    [InlineData("api.fsproj", "dotnet_core_buildpack", "cd ${HOME} && exec ./api")]
    [InlineData("requirements.txt", "python_buildpack", "python -m app")]
    [InlineData("setup.py", "python_buildpack", "python -m app")]
    [InlineData("Gemfile", "ruby_buildpack", "bundle exec rackup config.ru -p $PORT")]
    [InlineData("go.mod", "go_buildpack", "./bin/app")]
    [InlineData("index.html", "staticfile_buildpack", "$HOME/boot.sh")]
    [InlineData("Staticfile", "staticfile_buildpack", "$HOME/boot.sh")]
    [InlineData("pom.xml", "java_buildpack", "java -jar target/app.jar")]
    [InlineData("app.jar", "java_buildpack", "java -jar app.jar")]
    public void EachBuildpackIsDetectedFromItsFiles(string file, string buildpack, string command)
    {
        var detected = BuildpackDetector.Detect([file, "lib/other.txt"], null, null);

        Assert.Equal((buildpack, command), (detected!.Buildpack, detected.StartCommand));
        Assert.Equal(command, Assert.Single(detected.ProcessTypes, t => t.Key == "web").Value);
    }

    [Fact]
    public void OnlyRootFilesCountAndNothingDetectedIsNull()
    {
        Assert.Null(BuildpackDetector.Detect(["docs/package.json", "README.md"], null, null));
    }

    [Fact]
    public void AnExplicitBuildpackWinsAndAProcfileSetsTheCommand()
    {
        Assert.Equal(("python_buildpack", ""), Found(BuildpackDetector.Detect(["package.json"], "python_buildpack", null)));
        Assert.Equal(("nodejs_buildpack", "node server.js"), Found(BuildpackDetector.Detect(["package.json", "Procfile"], null, "worker: x\nweb: node server.js\n")));
        Assert.Equal(("https://github.com/x/y", ""), Found(BuildpackDetector.Detect(["anything"], "https://github.com/x/y", null)));
    }

    [Fact]
    public void AProcfileNamesTheProcessTypes()
    {
        var types = BuildpackDetector.ProcessTypes("web: node server.js --bind a:b\r\n\n# comment\nWorker: node worker.js\nclock:   \nbad type: x\nworker: node w2.js\n");

        Assert.Equal(new Dictionary<string, string> { ["web"] = "node server.js --bind a:b", ["worker"] = "node w2.js" }, types);
        Assert.Empty(BuildpackDetector.ProcessTypes(null));

        var detected = BuildpackDetector.Detect(["package.json", "Procfile"], null, "worker: node worker.js")!;
        Assert.Equal(new Dictionary<string, string> { ["web"] = "npm start", ["worker"] = "node worker.js" }, detected.ProcessTypes);
    }

    private static (string, string) Found(BuildpackDetector.Detected? detected) => (detected!.Buildpack, detected.StartCommand);

    [Fact]
    public void AStagingOutcomeOfASupersededStagingIsIgnored()
    {
        var current = Guid.NewGuid();
        var app = Staging(current);

        var stale = AppRules.CompleteStaging(app, Droplet(Guid.NewGuid(), DropletState.Staged), Now);
        var fresh = AppRules.CompleteStaging(app, Droplet(current, DropletState.Staged), Now);

        Assert.Equal(app, stale);
        Assert.Equal(AppPackageState.Staged, fresh.PackageState);
        Assert.Equal("nodejs_buildpack", fresh.DetectedBuildpack);
        Assert.Equal("npm start", fresh.DetectedStartCommand);
        Assert.Equal(current, fresh.CurrentDropletGuid);
    }

    [Fact]
    public void AFailedStagingRecordsReasonAndDescriptionAndStopsDiegoApps()
    {
        var droplet = Guid.NewGuid();

        var dea = AppRules.CompleteStaging(Staging(droplet), Droplet(droplet, DropletState.Failed, "NoAppDetectedError"), Now);
        var diego = AppRules.CompleteStaging(Staging(droplet) with { Diego = true }, Droplet(droplet, DropletState.Failed, "StagingError"), Now);

        Assert.Equal(AppPackageState.Failed, dea.PackageState);
        Assert.Equal("NoAppDetectedError", dea.StagingFailedReason);
        Assert.Equal("An app was not successfully detected by any available buildpack", dea.StagingFailedDescription);
        Assert.Equal(AppState.Started, dea.State);
        Assert.Equal("Staging error: staging failed", diego.StagingFailedDescription);
        Assert.Equal(AppState.Stopped, diego.State);
    }

    [Fact]
    public void RestageIsRefusedWhilePendingOrWithoutBits()
    {
        var pending = Staging(Guid.NewGuid());
        var noBits = pending with { Package = null, PackageState = AppPackageState.Staged };

        Assert.Equal(CfErrorCode.NotStaged, Assert.Throws<CloudControllerException>(() => AppRules.Restage(pending, Now, Guid.NewGuid(), Guid.NewGuid(), stagingInFlight: true)).Code);
        Assert.Equal(CfErrorCode.AppPackageInvalid, Assert.Throws<CloudControllerException>(() => AppRules.Restage(noBits, Now, Guid.NewGuid(), Guid.NewGuid(), stagingInFlight: false)).Code);
    }

    [Fact]
    public void APendingAppWhoseStagingIsNotInFlightMayRestage()
    {
        var lost = Staging(Guid.NewGuid());
        var droplet = Guid.NewGuid();

        var next = AppRules.Restage(lost, Now, Guid.NewGuid(), droplet, stagingInFlight: false);

        Assert.Equal(droplet.ToString("D"), next.StagingTaskId);
    }

    [Fact]
    public void RestageStartsAStoppedStagedAppWithANewVersion()
    {
        var staged = Staging(Guid.NewGuid()) with { PackageState = AppPackageState.Staged, State = AppState.Stopped };
        var version = Guid.NewGuid();
        var droplet = Guid.NewGuid();

        var next = AppRules.Restage(staged, Now, version, droplet, stagingInFlight: false);

        Assert.Equal(AppState.Started, next.State);
        Assert.Equal(AppPackageState.Pending, next.PackageState);
        Assert.Equal(version, next.Version);
        Assert.Equal(droplet.ToString("D"), next.StagingTaskId);
    }

    private static AppSnapshot Staging(Guid droplet) => new()
    {
        Guid = Guid.NewGuid(),
        Name = "web",
        State = AppState.Started,
        PackageState = AppPackageState.Pending,
        Package = new PackageInfo(Guid.NewGuid(), "abc", 10),
        PackageHash = "abc",
        StagingTaskId = droplet.ToString("D"),
    };

    private static DropletSnapshot Droplet(Guid guid, DropletState state, string? reason = null) =>
        new(guid, Guid.NewGuid(), Guid.NewGuid(), state, state == DropletState.Staged ? "nodejs_buildpack" : null,
            state == DropletState.Staged ? "npm start" : null, reason, reason, null, Now, Now);
}
