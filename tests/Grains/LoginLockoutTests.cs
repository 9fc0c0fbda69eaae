using CloudController.GrainInterfaces.Uaa;

namespace CloudController.Tests.Grains;

/// <summary>UAA's lockout rule on the grain tier's clock: failures count within the window, a lock lasts exactly its duration.</summary>
[Collection(GrainTier.Name)]
public sealed class LoginLockoutTests(GrainTierFixture fixture)
{
    private static readonly LockoutPolicy Policy = new(MaxFailures: 3, Window: TimeSpan.FromMinutes(1), Duration: TimeSpan.FromMinutes(5));

    [Fact]
    public async Task FailuresFurtherApartThanTheWindowNeverLock()
    {
        var name = fixture.Grains.GetGrain<ILoginLockoutGrain>($"spread-{Guid.NewGuid():N}");
        for (var i = 0; i < 5; i++)
        {
            Assert.False(await name.FailedAsync(Policy));
            fixture.Clock.Advance(Policy.Window + TimeSpan.FromSeconds(1));
        }

        Assert.False(await name.IsLockedAsync());
    }

    [Fact]
    public async Task FailuresWithinTheWindowLockForExactlyTheDurationAndASuccessClearsTheCount()
    {
        var name = fixture.Grains.GetGrain<ILoginLockoutGrain>($"burst-{Guid.NewGuid():N}");
        Assert.False(await name.FailedAsync(Policy));
        fixture.Clock.Advance(TimeSpan.FromSeconds(30));
        Assert.False(await name.FailedAsync(Policy));
        fixture.Clock.Advance(TimeSpan.FromSeconds(29));
        Assert.True(await name.FailedAsync(Policy));

        fixture.Clock.Advance(Policy.Duration - TimeSpan.FromTicks(1));
        Assert.True(await name.IsLockedAsync());
        fixture.Clock.Advance(TimeSpan.FromTicks(1));
        Assert.False(await name.IsLockedAsync());

        // A success between failures starts the count again.
        Assert.False(await name.FailedAsync(Policy));
        Assert.False(await name.FailedAsync(Policy));
        await name.SucceededAsync();
        Assert.False(await name.FailedAsync(Policy));
        Assert.False(await name.IsLockedAsync());
    }
}
