using CloudController.GrainInterfaces.Bits;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Packages;
using CloudController.Grains.Packages;

namespace CloudController.Tests.Domain;

public sealed class PackageTransitionsTests
{
    private static readonly DateTimeOffset Now = new(2016, 6, 30, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void BitsAwaitUploadAndDockerIsReady()
    {
        Assert.Equal(PackageState.AwaitingUpload, PackageTransitions.Create(Guid.NewGuid(), Guid.NewGuid(), PackageType.Bits, null, Now).State);
        Assert.Equal(PackageState.Ready, PackageTransitions.Create(Guid.NewGuid(), Guid.NewGuid(), PackageType.Docker, "docker://x", Now).State);
    }

    [Fact]
    public void UploadIsAcceptedOnceAndOnlyForBits()
    {
        var awaiting = PackageTransitions.Create(Guid.NewGuid(), Guid.NewGuid(), PackageType.Bits, null, Now);
        var processing = PackageTransitions.BeginUpload(awaiting, Now);
        var docker = PackageTransitions.Create(Guid.NewGuid(), Guid.NewGuid(), PackageType.Docker, "docker://x", Now);

        Assert.Equal(PackageState.ProcessingUpload, processing.State);
        Assert.Equal(CfErrorCode.PackageBitsAlreadyUploaded, Assert.Throws<CloudControllerException>(() => PackageTransitions.BeginUpload(processing, Now)).Code);
        Assert.Equal(CfErrorCode.UnprocessableEntity, Assert.Throws<CloudControllerException>(() => PackageTransitions.BeginUpload(docker, Now)).Code);
    }

    [Fact]
    public void ProcessingEndsReadyWithBitsOrFailedWithAnError()
    {
        var processing = PackageTransitions.BeginUpload(PackageTransitions.Create(Guid.NewGuid(), Guid.NewGuid(), PackageType.Bits, null, Now), Now);
        var bits = new PackageInfo(processing.Guid, "abc", 3);

        Assert.Equal(bits, PackageTransitions.Complete(processing, bits, Now).Bits);
        Assert.Equal("bad zip", PackageTransitions.Fail(processing, "bad zip", Now).Error);
        Assert.Equal(PackageState.Failed, PackageTransitions.Fail(processing, "bad zip", Now).State);
    }

    [Fact]
    public void OnlyReadyBitsPackagesBeyondTheNewestFiveExpire()
    {
        var app = Guid.NewGuid();
        var ready = Enumerable.Range(0, 7)
            .Select(i => new PackageSnapshot(Guid.NewGuid(), app, PackageType.Bits, PackageState.Ready, null, new PackageInfo(Guid.NewGuid(), "s", 1), null, Now.AddMinutes(i), null))
            .ToList();
        var docker = new PackageSnapshot(Guid.NewGuid(), app, PackageType.Docker, PackageState.Ready, "docker://x", null, null, Now.AddMinutes(-5), null);

        var expired = PackageTransitions.ToExpire([.. ready, docker]).ToHashSet();

        Assert.Equal(new[] { ready[0].Guid, ready[1].Guid }.Order(), expired.Order());
        Assert.Null(PackageTransitions.Expire(ready[0], Now).Bits);
        Assert.Equal(PackageState.Expired, PackageTransitions.Expire(ready[0], Now).State);
    }
}
