using CloudController.GrainInterfaces.Bits;
using CloudController.GrainInterfaces.Droplets;
using CloudController.Grains.Droplets;

namespace CloudController.Tests.Domain;

public sealed class DropletTransitionsTests
{
    private static readonly DateTimeOffset Now = new(2016, 6, 30, 12, 0, 0, TimeSpan.Zero);

    private static DropletSnapshot Staging() =>
        DropletTransitions.Stage(Guid.NewGuid(), new StagingRequest(Guid.NewGuid(), new PackageInfo(Guid.NewGuid(), "abc", 3), null, Guid.NewGuid()), Now);

    [Fact]
    public void StagingEndsStagedWithItsDropletOrFailedWithCfsReason()
    {
        var staging = Staging();
        var blob = new PackageInfo(staging.Guid, "def", 9);

        var staged = DropletTransitions.Complete(staging, StagingResult.Succeeded("nodejs", "npm start", blob, System.Collections.Immutable.ImmutableDictionary<string, string>.Empty.Add("web", "npm start").Add("worker", "node w.js")), Now.AddMinutes(1));
        var failed = DropletTransitions.Complete(staging, StagingResult.Failed(StagingFailureReasons.NoAppDetectedError, "no buildpack"), Now);

        Assert.Equal(DropletState.Staging, staging.State);
        Assert.Equal((DropletState.Staged, "nodejs", "npm start", blob), (staged.State, staged.Buildpack, staged.StartCommand, staged.Blob));
        Assert.Equal(Now.AddMinutes(1), staged.UpdatedAt);
        Assert.Equal(["web", "worker"], staged.Types.Keys.Order());
        Assert.Equal(["web"], (staging with { StartCommand = "x" }).Types.Keys);
        Assert.Equal((DropletState.Failed, "NoAppDetectedError", "NoAppDetectedError - no buildpack"), (failed.State, failed.FailureReason, failed.Error));
    }

    [Fact]
    public void OnlyAStagingDropletTakesAnOutcomeAndOnlyAStagedOneExpires()
    {
        var staging = Staging();
        var staged = DropletTransitions.Complete(staging, StagingResult.Succeeded("go", "./app", new PackageInfo(staging.Guid, "x", 1), System.Collections.Immutable.ImmutableDictionary<string, string>.Empty.Add("web", "./app")), Now);
        var failed = DropletTransitions.Fail(staging, StagingFailureReasons.StagingError, "staging failed", Now);

        Assert.Equal(staged, DropletTransitions.Complete(staged, StagingResult.Failed(StagingFailureReasons.StagingError, "late"), Now));
        Assert.Equal(failed, DropletTransitions.Fail(failed, StagingFailureReasons.StagingError, "again", Now));
        Assert.Equal(DropletState.Expired, DropletTransitions.Expire(staged, Now).State);
        Assert.Equal(staging, DropletTransitions.Expire(staging, Now));
        Assert.Equal(failed, DropletTransitions.Expire(failed, Now));
    }
}
