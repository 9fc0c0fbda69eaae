using CloudController.GrainInterfaces.Runtime;
using CloudController.Grains.Runtime;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CloudController.Tests.Domain;

/// <summary>The simulated runtime's rules, on a clock the test moves: states come from the time an instance was desired.</summary>
public sealed class SimulatedRuntimeTests
{
    private static readonly Guid App = Guid.NewGuid();
    private static readonly Guid Droplet = Guid.NewGuid();

    [Fact]
    public async Task InstancesStartThenRunScaleKeepsTheRunningOnesAndDetachingForgetsThem()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
        using var runtime = new SimulatedRuntime(Options.Create(new RuntimeOptions { StartDelay = TimeSpan.FromSeconds(1) }), clock, null!);
        var version = Guid.NewGuid();

        await runtime.DesireAsync(Process(2, version), CancellationToken.None);
        Assert.All((await Report(runtime)).Instances, i => Assert.Equal(InstanceStates.Starting, i.State));
        clock.Advance(TimeSpan.FromSeconds(2));
        var running = await Report(runtime);
        Assert.Equal(2, running.Running);
        Assert.Equal(0L + (256 << 20), running.Instances[0].MemoryQuotaBytes);

        // Desiring the same again keeps the instances (and their since); more instances start now.
        await runtime.DesireAsync(Process(3, version), CancellationToken.None);
        var scaled = await Report(runtime);
        Assert.Equal([InstanceStates.Running, InstanceStates.Running, InstanceStates.Starting], scaled.Instances.Select(i => i.State));
        Assert.Equal(running.Instances[0].Since, scaled.Instances[0].Since);

        // A new version (a restart or restage) starts every instance again.
        await runtime.DesireAsync(Process(3, Guid.NewGuid()), CancellationToken.None);
        Assert.Equal(0, (await Report(runtime)).Running);

        await runtime.DetachAsync(App, "web", CancellationToken.None);
        Assert.Empty((await Report(runtime)).Instances);
    }

    private static DesiredProcess Process(int instances, Guid version) =>
        new(App, "web", Droplet, version, instances, 256, 1024, "./serve", new Dictionary<string, string>());

    private static Task<ProcessReport> Report(SimulatedRuntime runtime) => runtime.ReportAsync(App, "web", CancellationToken.None);
}
