using System.Collections.Concurrent;
using System.Collections.Immutable;
using CloudController.GrainInterfaces.Runtime;
using Microsoft.Extensions.Options;

namespace CloudController.Grains.Runtime;

/// <summary>Settings of the simulated runtime (configuration section <c>CloudController:Runtime</c>).</summary>
public sealed class RuntimeOptions
{
    public const string Section = "CloudController:Runtime";

    public const string Simulated = "simulated";
    public const string Local = "local";

    /// <summary>The provider: <c>simulated</c> (runs nothing; the default) or <c>local</c> (runs each instance as a process on the silo's machine).</summary>
    public string Provider { get; set; } = Simulated;

    /// <summary>How long a simulated instance is STARTING before it reports RUNNING.</summary>
    public TimeSpan StartDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the convergence pass makes every STARTED app desired again (after a silo is lost).</summary>
    public TimeSpan ConvergencePeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a simulated task runs (it is PENDING for <see cref="StartDelay"/> first).</summary>
    public TimeSpan TaskDuration { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// How long a staging's last log lines ("Staging complete", or why it failed) precede the droplet's STAGED or FAILED
    /// state (either runtime). The cf CLI shows only log lines older than 2 s and stops reading the log when it sees the
    /// staging end, so without a lead it cuts off the end of a staging that ended just before one of its looks (every
    /// 3 s). <c>./run.sh --runtime local</c> sets 2.5 s; the default (none) suits load tests.
    /// </summary>
    public TimeSpan StagingLogLead { get; set; } = TimeSpan.Zero;

    /// <summary>A simulated task whose command contains this fails (exit status 1) instead of succeeding.</summary>
    public string TaskFailureMarker { get; set; } = "exit 1";
}

/// <summary>
/// A runtime that runs nothing. Each desired instance reports STARTING for <see cref="RuntimeOptions.StartDelay"/>
/// after it was desired, then RUNNING, with zero usage and the process's memory and disk as quotas. States are
/// computed from the time each instance was desired, so a thousand idle apps cost a dictionary entry each and no
/// timer. An app whose environment sets <see cref="CrashVariable"/> to <c>true</c> crashes instead: STARTING, then
/// CRASHED, restarted after a backoff that doubles from 2 s up to 60 s. What it knows lives in this silo's memory;
/// the app grains desire their processes again whenever they activate, which is how instances come back after a
/// restart (with a new <c>since</c>).
/// </summary>
public sealed class SimulatedRuntime(IOptions<RuntimeOptions> options, TimeProvider clock, IGrainFactory grains) : IAppRuntime, IDisposable
{
    /// <summary>The environment variable that makes an app's simulated instances crash.</summary>
    public const string CrashVariable = "SIMULATED_RUNTIME_CRASH";

    private readonly ConcurrentDictionary<(Guid App, string Type), Simulated> _processes = new();

    // Crashes already reported, per instance; one watch for the whole silo, running only while some process crashes.
    private readonly ConcurrentDictionary<(Guid App, string Type, int Index), int> _reported = new();
    private readonly Lock _watchGate = new();
    private ITimer? _watch;

    public string CellId => "simulated";

    public bool RunsTasks => false;

    public Task RunTaskAsync(DesiredTask task, CancellationToken cancellationToken) => Task.CompletedTask;

    public bool Runs(Guid task) => false;

    public Task CancelTaskAsync(Guid task, CancellationToken cancellationToken) => Task.CompletedTask;

    public string Description => "simulated runtime: no app code runs; instances report STARTING, then RUNNING, with zero usage";

    public Task DesireAsync(DesiredProcess process, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var crashes = process.Environment.TryGetValue(CrashVariable, out var crash) && string.Equals(crash, "true", StringComparison.OrdinalIgnoreCase);
        _processes.AddOrUpdate((process.App, process.Type),
            _ => Simulated.Start(process, crashes, now),
            (_, current) => current.Droplet == process.Droplet && current.Version == process.Version && current.Crashes == crashes
                ? current.Scale(process, now)
                : Simulated.Start(process, crashes, now));
        if (crashes)
        {
            ForgetReported(process.App, process.Type);
            lock (_watchGate)
            {
                _watch ??= clock.CreateTimer(_ => _ = ReportCrashesAsync(), null, options.Value.StartDelay, options.Value.StartDelay);
            }
        }

        return Task.CompletedTask;
    }

    public void Dispose() => _watch?.Dispose();

    /// <summary>Tells each crashing app's grain about crashes it has not heard of (Diego's crash events, simulated).</summary>
    private async Task ReportCrashesAsync()
    {
        var now = clock.GetUtcNow();
        var crashing = _processes.Where(p => p.Value.Crashes).ToList();
        if (crashing.Count == 0)
        {
            lock (_watchGate)
            {
                _watch?.Dispose();
                _watch = null;
            }

            return;
        }

        foreach (var ((app, type), process) in crashing)
        {
            foreach (var (index, count, at) in process.CrashesBy(now, options.Value.StartDelay))
            {
                var key = (app, type, index);
                if (count > _reported.GetValueOrDefault(key))
                {
                    _reported[key] = count;
                    try
                    {
                        await grains.GetGrain<GrainInterfaces.Apps.IAppGrain>(app).InstanceCrashedAsync(type, index, at, count, CrashDescription);
                    }
                    catch (Exception ex) when (ex is not OutOfMemoryException)
                    {
                        // Reported again on the next tick.
                        _reported[key] = count - 1;
                    }
                }
            }
        }
    }

    private const string CrashDescription = "Exited with status 1 (simulated crash: SIMULATED_RUNTIME_CRASH is true)";

    private void ForgetReported(Guid app, string type)
    {
        foreach (var key in _reported.Keys.Where(k => k.App == app && k.Type == type))
        {
            _reported.TryRemove(key, out _);
        }
    }

    public Task StopAsync(Guid app, string type, CancellationToken cancellationToken)
    {
        _processes.TryRemove((app, type), out _);
        ForgetReported(app, type);
        return Task.CompletedTask;
    }

    /// <summary>The simulation lives in this silo: a grain that leaves takes its processes with it (no stale crash reports).</summary>
    public Task DetachAsync(Guid app, string type, CancellationToken cancellationToken) => StopAsync(app, type, cancellationToken);

    public Task StopInstanceAsync(Guid app, string type, int index, CancellationToken cancellationToken)
    {
        if (_processes.TryGetValue((app, type), out var current))
        {
            _processes.TryUpdate((app, type), current.Restart(index, clock.GetUtcNow()), current);
        }

        return Task.CompletedTask;
    }

    public IEnumerable<(Guid App, string Type)> DesiredHere => _processes.Keys;

    public Task<ProcessReport> ReportAsync(Guid app, string type, CancellationToken cancellationToken) =>
        Task.FromResult(_processes.TryGetValue((app, type), out var process)
            ? process.Report(clock.GetUtcNow(), options.Value.StartDelay)
            : ProcessReport.None);

    /// <summary>What the simulation keeps of one process: when each instance was (re)started.</summary>
    private sealed record Simulated(Guid Droplet, Guid Version, bool Crashes, int MemoryMb, int DiskMb, ImmutableArray<DateTimeOffset> Started)
    {
        public static Simulated Start(DesiredProcess p, bool crashes, DateTimeOffset now) =>
            new(p.Droplet, p.Version, crashes, p.MemoryMb, p.DiskMb, [.. Enumerable.Repeat(now, Math.Max(p.Instances, 0))]);

        /// <summary>A new count keeps the instances that stay; new ones start now.</summary>
        public Simulated Scale(DesiredProcess p, DateTimeOffset now) => this with
        {
            MemoryMb = p.MemoryMb,
            DiskMb = p.DiskMb,
            Started = [.. Started.Take(p.Instances), .. Enumerable.Repeat(now, Math.Max(p.Instances - Started.Length, 0))],
        };

        public Simulated Restart(int index, DateTimeOffset now) =>
            index >= 0 && index < Started.Length ? this with { Started = Started.SetItem(index, now) } : this;

        public ProcessReport Report(DateTimeOffset now, TimeSpan startDelay) => new([.. Started.Select((since, index) =>
        {
            var (state, at, details) = Crashes ? CrashCycle(since, now, startDelay) : (now - since < startDelay ? InstanceStates.Starting : InstanceStates.Running, since, (string?)null);
            return new InstanceReport(index, state, at, details, MemoryMb * 1024L * 1024L, DiskMb * 1024L * 1024L);
        })]);

        /// <summary>For each instance of a crashing process: how many times it has crashed by <paramref name="now"/>, and when it last did.</summary>
        public IEnumerable<(int Index, int Count, DateTimeOffset At)> CrashesBy(DateTimeOffset now, TimeSpan startDelay)
        {
            for (var index = 0; index < Started.Length; index++)
            {
                var (count, at) = (0, Started[index]);
                var start = Started[index];
                for (var attempt = 0; start + startDelay <= now; attempt++)
                {
                    count++;
                    at = start + startDelay;
                    start = at + TimeSpan.FromSeconds(Math.Min(60, 2 << Math.Min(attempt, 5)));
                }

                yield return (index, count, at);
            }
        }

        /// <summary>Where a crashing instance is in its cycle: STARTING for the start delay, then CRASHED for a backoff that doubles (2 s, 4 s, ... 60 s), then again.</summary>
        private static (string State, DateTimeOffset Since, string? Details) CrashCycle(DateTimeOffset started, DateTimeOffset now, TimeSpan startDelay)
        {
            var at = started;
            for (var attempt = 0; ; attempt++)
            {
                var crashedAt = at + startDelay;
                if (now < crashedAt)
                {
                    return (InstanceStates.Starting, at, null);
                }

                var backoff = TimeSpan.FromSeconds(Math.Min(60, 2 << Math.Min(attempt, 5)));
                if (now < crashedAt + backoff)
                {
                    return (InstanceStates.Crashed, crashedAt, "APP/PROC/WEB: Exited with status 1 (simulated crash)");
                }

                at = crashedAt + backoff;
            }
        }
    }
}
