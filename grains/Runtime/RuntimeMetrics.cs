using System.Diagnostics.Metrics;
using CloudController.Grains.Hosting;
using Microsoft.Extensions.Hosting;

namespace CloudController.Grains.Runtime;

/// <summary>
/// <c>cc.runtime.instances</c>: the instances this silo's runtime runs, by state (STARTING, RUNNING, CRASHED, DOWN),
/// read from the runtime's own reports when the metrics are collected. Its meter lives as long as the silo, so a
/// process that hosts several silos one after another (the tests) reports only the running one.
/// </summary>
public sealed class RuntimeMetrics(IAppRuntime runtime) : IHostedService, IDisposable
{
    private Meter? _meter;

    /// <summary>The meter this silo's gauge is on while the silo runs: a process that hosts several silos (the tests) has one per silo.</summary>
    public Meter? Meter => _meter;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _meter = new Meter(GrainMetrics.MeterName);
        _meter.CreateObservableGauge("cc.runtime.instances", Observe, "{instance}", "Instances this silo's runtime runs, by state.");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _meter?.Dispose();
        _meter = null;
    }

    private IEnumerable<Measurement<int>> Observe() =>
        runtime.DesiredHere
            // Both runtimes answer reports synchronously, from memory.
            .SelectMany(p => runtime.ReportAsync(p.App, p.Type, CancellationToken.None).GetAwaiter().GetResult().Instances)
            .GroupBy(i => i.State)
            .Select(g => new Measurement<int>(g.Count(), new KeyValuePair<string, object?>("state", g.Key)));
}
