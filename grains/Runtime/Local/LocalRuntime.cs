using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Config;
using CloudController.GrainInterfaces.Organizations;
using CloudController.GrainInterfaces.Routing;
using CloudController.GrainInterfaces.Runtime;
using CloudController.GrainInterfaces.Spaces;
using CloudController.Grains.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CloudController.Grains.Runtime.Local;

/// <summary>
/// A runtime that really runs apps, as processes on the silo's machine (Linux). Each desired instance gets its own
/// folder with the droplet unpacked (<c>app/</c> is its <c>HOME</c>), a free port, CF's environment, its own user id
/// when the silo is root, its own session and process group, and a parent-death signal. An instance is STARTING until
/// its health check passes (<c>port</c>, <c>http</c> or <c>process</c>), then RUNNING and checked again every
/// <see cref="LocalRuntimeOptions.LivenessPeriod"/>; an exit, a failed check, the start timeout or memory over its
/// limit crash it, and it is started again with Diego's backoff. What it prints goes to the app's log. The silo tells
/// the route table which instances run where, so the routers reach them.
/// </summary>
public sealed partial class LocalRuntime : IAppRuntime, IAsyncDisposable, IDisposable
{
    private readonly LocalRuntimeOptions _options;
    private readonly OsProcesses _os;
    private readonly DropletFiles _droplets;
    private readonly AppLogWriter _logs;
    private readonly IGrainFactory _grains;
    private readonly TimeProvider _clock;
    private readonly ILogger<LocalRuntime> _logger;
    private readonly Polly.ResiliencePipeline _report;
    private readonly string _silo;
    private readonly ConcurrentDictionary<(Guid App, string Type), LocalProcess> _processes = new();
    private readonly ConcurrentDictionary<Guid, TaskRun> _tasks = new();
    private readonly UidPool _uids;
    private readonly ITimer _monitor;
    private readonly ITimer _reporter;
    private readonly SemaphoreSlim _reporting = new(1, 1);
    private DateTimeOffset _lastDiskScan;
    private int _reportWanted;
    private volatile bool _stopping;
    private int _disposed;

    public LocalRuntime(
        IOptions<LocalRuntimeOptions> options, OsProcesses os, DropletFiles droplets, AppLogWriter logs, IGrainFactory grains,
        ILocalSiloDetails silo, Microsoft.Extensions.Hosting.IHostApplicationLifetime lifetime, TimeProvider clock,
        Polly.Registry.ResiliencePipelineProvider<string> retries, ILogger<LocalRuntime> logger)
    {
        _report = retries.GetPipeline(Hosting.Retries.Report);
        // A silo shutting down tells the route table nothing more: the table drops it when its lease lapses.
        lifetime.ApplicationStopping.Register(() => _stopping = true);
        (_options, _os, _droplets, _logs, _grains, _clock, _logger) = (options.Value, os, droplets, logs, grains, clock, logger);
        _silo = silo.SiloAddress.ToParsableString();
        Root = Path.Combine(Path.GetFullPath(_options.Directory), $"silo-{silo.SiloAddress.Endpoint.Port}");
        _uids = new UidPool(os.IsRoot ? _options.UidBase : null);
        RemoveLeftovers();
        _monitor = clock.CreateTimer(_ => Monitor(), null, _options.MonitorPeriod, _options.MonitorPeriod);
        _reporter = clock.CreateTimer(_ => _ = ReportAsync(), null, TimeSpan.Zero, _options.ReportPeriod);
    }

    /// <summary>This silo's folder: <c>instances/</c>, <c>droplets/</c> and the pid files of what it started.</summary>
    public string Root { get; }

    /// <summary>User ids for instances and stagings (none when the silo is not root).</summary>
    internal UidPool Uids => _uids;

    /// <summary>The environment line every process this runtime starts carries, so a starting silo finds what a killed one left.</summary>
    public string Marker => $"CF_LOCAL_RUNTIME_ROOT={Root}";

    public string CellId => _silo;

    public string Description => "local runtime: each instance is a process on the silo's machine";

    public Task DesireAsync(DesiredProcess process, CancellationToken cancellationToken)
    {
        var local = _processes.GetOrAdd((process.App, process.Type), _ => new LocalProcess(process));
        lock (local)
        {
            var renewed = local.Desired.Droplet != process.Droplet || local.Desired.Version != process.Version;
            local.Desired = process;
            while (local.Slots.Count > Math.Max(process.Instances, 0))
            {
                var slot = local.Slots[^1];
                local.Slots.RemoveAt(local.Slots.Count - 1);
                slot.Retire(this);
            }

            foreach (var slot in local.Slots.Where(_ => renewed))
            {
                // A new droplet or version: the instance keeps serving until its successor is RUNNING.
                slot.Replace(this, local);
            }

            while (local.Slots.Count < process.Instances)
            {
                var slot = new Slot(local.Slots.Count);
                local.Slots.Add(slot);
                Launch(local, slot);
            }
        }

        return Task.CompletedTask;
    }

    public bool RunsTasks => true;

    public bool Runs(Guid task) => _tasks.ContainsKey(task);

    public Task RunTaskAsync(DesiredTask task, CancellationToken cancellationToken)
    {
        var run = new TaskRun(Path.Combine(Root, "tasks", task.Task.ToString("N")));
        if (_tasks.TryAdd(task.Task, run))
        {
            run.Uid = _uids.Take();
            _ = Task.Run(() => RunTaskProcessAsync(task, run), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    public Task CancelTaskAsync(Guid task, CancellationToken cancellationToken)
    {
        if (_tasks.TryGetValue(task, out var run))
        {
            run.Canceled = true;
            if (run.Process is { } process)
            {
                OsProcesses.SignalGroup(process.Id, OsProcesses.SigTerm);
                _ = Task.Run(async () =>
                {
                    await process.WaitForExitAsync().WaitAsync(_options.StopGrace, _clock).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    OsProcesses.SignalGroup(process.Id, OsProcesses.SigKill);
                }, CancellationToken.None);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Runs a task's command to its end with the app's droplet and environment, then tells its grain the exit status.</summary>
    private async Task RunTaskProcessAsync(DesiredTask task, TaskRun run)
    {
        var source = $"APP/TASK/{task.Name}";
        int status;
        try
        {
            var desired = new DesiredProcess(task.App, "task", task.Droplet, task.Version, 1, task.MemoryMb, task.DiskMb, task.Command, task.Environment)
            {
                AppName = task.AppName,
                SpaceGuid = task.SpaceGuid,
            };
            var process = await LaunchAsync(desired, task.Task, 0, 0, run.Directory, run.Uid, CancellationToken.None);
            run.Process = process;
            if (run.Canceled)
            {
                OsProcesses.SignalGroup(process.Id, OsProcesses.SigKill);
            }

            var output = Task.WhenAll(
                PumpAsync(process.StandardOutput, task.App, source, "0", false),
                PumpAsync(process.StandardError, task.App, source, "0", true));
            await process.WaitForExitAsync();
            await output.WaitAsync(TimeSpan.FromSeconds(5), _clock).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            status = process.ExitCode;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _logs.Write(task.App, source, "0", $"Failed to start: {ex.Message}", true);
            status = 1;
        }
        finally
        {
            if (run.Process is { } process)
            {
                OsProcesses.SignalGroup(process.Id, OsProcesses.SigKill);
                process.Dispose();
            }

            try
            {
                Directory.Delete(run.Directory, recursive: true);
                File.Delete(PidFile(task.Task));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogCleanupFailed(ex, task.Task);
            }

            if (run.Uid is { } uid)
            {
                _uids.Give(uid);
            }

            _tasks.TryRemove(task.Task, out _);
        }

        await _report.ExecuteAsync(async _ =>
        {
            try
            {
                await _grains.GetGrain<GrainInterfaces.Tasks.ITaskGrain>(task.Task).ExitedAsync(status);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogCrashNotReported(ex, task.App, 0);
                throw;
            }
        });
    }

    public Task StopAsync(Guid app, string type, CancellationToken cancellationToken)
    {
        if (_processes.TryRemove((app, type), out var local))
        {
            lock (local)
            {
                foreach (var slot in local.Slots)
                {
                    slot.Retire(this);
                }

                local.Slots.Clear();
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Instances run on this silo's machine: a grain leaving the silo stops them, and its next activation starts them again.</summary>
    public Task DetachAsync(Guid app, string type, CancellationToken cancellationToken) => StopAsync(app, type, cancellationToken);

    public Task StopInstanceAsync(Guid app, string type, int index, CancellationToken cancellationToken)
    {
        if (_processes.TryGetValue((app, type), out var local))
        {
            lock (local)
            {
                if (index >= 0 && index < local.Slots.Count)
                {
                    var slot = local.Slots[index];
                    slot.Crashes = 0;
                    slot.CancelRestart();
                    if (slot.Current is { } current)
                    {
                        Stop(current, drain: true);
                    }

                    Launch(local, slot);
                }
            }
        }

        return Task.CompletedTask;
    }

    public IEnumerable<(Guid App, string Type)> DesiredHere => _processes.Keys;

    public Task<ProcessReport> ReportAsync(Guid app, string type, CancellationToken cancellationToken)
    {
        if (!_processes.TryGetValue((app, type), out var local))
        {
            return Task.FromResult(ProcessReport.None);
        }

        lock (local)
        {
            var desired = local.Desired;
            return Task.FromResult(new ProcessReport([.. local.Slots.Select(slot => slot.Current is { } instance
                ? new InstanceReport(slot.Index, instance.State, instance.Since, instance.Details, desired.MemoryMb * Mebibyte, desired.DiskMb * Mebibyte)
                {
                    Host = _options.Address,
                    Port = instance.Port,
                    Usage = instance.Usage,
                }
                : new InstanceReport(slot.Index, InstanceStates.Down, _clock.GetUtcNow(), null, desired.MemoryMb * Mebibyte, desired.DiskMb * Mebibyte))]));
        }
    }

    private const long Mebibyte = 1024 * 1024;

    /// <summary>Starts a new instance in <paramref name="slot"/> (called under the process's lock).</summary>
    private void Launch(LocalProcess local, Slot slot)
    {
        var instance = new Instance(Guid.NewGuid(), slot.Index, _clock.GetUtcNow());
        slot.Current = instance;
        var desired = local.Desired;
        _ = Task.Run(() => RunAsync(local, slot, instance, desired));
    }

    private async Task RunAsync(LocalProcess local, Slot slot, Instance instance, DesiredProcess desired)
    {
        var source = $"APP/PROC/{desired.Type.ToUpperInvariant()}";
        var index = instance.Index.ToString(CultureInfo.InvariantCulture);
        try
        {
            if (string.IsNullOrWhiteSpace(desired.Command))
            {
                throw new InvalidOperationException("the app has no start command: set one (cf push -c, a Procfile, or the process's command)");
            }

            var directory = Path.Combine(Root, "instances", instance.Guid.ToString("N"));
            instance.Directory = directory;
            instance.Port = FreePort(_options.Address);
            instance.Uid = _uids.Take();
            _logs.Write(desired.App, "CELL", index, $"Starting instance {instance.Guid} on port {instance.Port}{(instance.Uid is { } u ? $" as uid {u}" : "")}", false);
            var process = await LaunchAsync(desired, instance.Guid, instance.Index, instance.Port, directory, instance.Uid, instance.Life.Token);
            instance.Process = process;
            instance.Group = process.Id;
            if (instance.Life.IsCancellationRequested)
            {
                // Stopped while it was being prepared.
                Kill(instance);
                return;
            }

            _ = PumpAsync(process.StandardOutput, desired.App, source, index, false);
            _ = PumpAsync(process.StandardError, desired.App, source, index, true);
            _ = WatchExitAsync(local, slot, instance, desired, process);
            await CheckHealthAsync(local, slot, instance, desired);
        }
        catch (OperationCanceledException) when (instance.Life.IsCancellationRequested)
        {
            // Stopped while starting.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogStartFailed(ex, desired.App, desired.Type, instance.Index);
            Crash(local, slot, instance, desired, $"{source}: Failed to start: {ex.Message}");
        }
    }

    /// <summary>
    /// Unpacks the droplet into <paramref name="directory"/>, writes the launcher, gives the folder to <paramref name="uid"/>
    /// and starts the command with CF's environment; the pid file lets a later silo find the process group.
    /// </summary>
    private async Task<System.Diagnostics.Process> LaunchAsync(
        DesiredProcess desired, Guid guid, int index, int port, string directory, int? uid, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var droplet = await _droplets.GetAsync(desired.Droplet, Path.Combine(Root, "droplets"), cancellationToken);
        await Task.Run(() => ZipFile.ExtractToDirectory(droplet, directory, overwriteFiles: true), cancellationToken);
        Directory.CreateDirectory(Path.Combine(directory, "app"));
        Directory.CreateDirectory(Path.Combine(directory, "tmp"));
        await File.WriteAllTextAsync(Path.Combine(directory, "launch.sh"), LaunchScript(desired.Command!), cancellationToken);
        var environment = await EnvironmentAsync(desired, guid, index, port, directory);
        if (uid is { } owner)
        {
            await OsProcesses.GiveAsync(directory, owner, cancellationToken);
        }

        var process = await _os.StartAsync(["/bin/sh", Path.Combine(directory, "launch.sh")], environment, Path.Combine(directory, "app"), uid);
        await File.WriteAllTextAsync(PidFile(guid), process.Id.ToString(CultureInfo.InvariantCulture), CancellationToken.None);
        return process;
    }

    /// <summary>
    /// CF's launcher: into <c>HOME</c>, the buildpacks' <c>.profile.d</c> scripts and the app's <c>.profile</c>, then the
    /// command. The launcher leads the instance's process group and waits for the command in the background, so that
    /// the parent-death signal it carries (<see cref="OsProcesses.SilosGoneSignal"/>) reaches it at once and takes the
    /// whole group down with it: an instance never outlives its silo.
    /// </summary>
    private static string LaunchScript(string command) =>
        "cd \"$HOME\" || exit 1\n"
        + "if [ -d .profile.d ]; then for f in .profile.d/*.sh; do [ -r \"$f\" ] && . \"$f\"; done; fi\n"
        + "[ -r .profile ] && . ./.profile\n"
        + $"trap 'kill -KILL 0' {OsProcesses.SilosGoneSignal}\n"
        + "{\n" + command + "\n} &\n"
        + "wait $!\n";

    private async Task<Dictionary<string, string>> EnvironmentAsync(DesiredProcess desired, Guid guid, int index, int port, string directory)
    {
        var space = await _grains.GetGrain<ISpaceGrain>(desired.SpaceGuid).FindAsync();
        var organization = space is null ? null : await _grains.GetGrain<IOrganizationGrain>(space.OrganizationGuid).FindAsync();
        var uris = (await AppRoutes.OfAsync(_grains, desired.App)).Select(AppRoutes.Uri).ToList();
        var running = RuntimeEnvironment.Of(await _grains.GetGrain<IEnvironmentVariableGroupGrain>("running").GetAsync());
        var home = Path.Combine(directory, "app");
        var dotnet = Path.GetDirectoryName(Environment.ProcessPath) ?? "/usr/share/dotnet";
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in running.Concat(desired.Environment))
        {
            environment[key] = value;
        }

        var vcap = new JsonObject
        {
            ["application_id"] = desired.App.ToString("D"),
            ["application_name"] = desired.AppName,
            ["application_uris"] = new JsonArray([.. uris.Select(u => JsonValue.Create(u))]),
            ["application_version"] = desired.Version.ToString("D"),
            ["cf_api"] = _options.CfApi,
            ["host"] = "0.0.0.0",
            ["instance_id"] = guid.ToString("D"),
            ["instance_index"] = index,
            ["limits"] = new JsonObject { ["disk"] = desired.DiskMb, ["fds"] = 16384, ["mem"] = desired.MemoryMb },
            ["name"] = desired.AppName,
            ["organization_id"] = organization?.Guid.ToString("D"),
            ["organization_name"] = organization?.Name,
            ["port"] = port,
            ["process_id"] = desired.ProcessGuid.ToString("D"),
            ["process_type"] = desired.Type,
            ["space_id"] = desired.SpaceGuid.ToString("D"),
            ["space_name"] = space?.Name,
            ["uris"] = new JsonArray([.. uris.Select(u => JsonValue.Create(u))]),
            ["version"] = desired.Version.ToString("D"),
        };
        var portText = port.ToString(CultureInfo.InvariantCulture);
        var indexText = index.ToString(CultureInfo.InvariantCulture);
        foreach (var (key, value) in new Dictionary<string, string>
        {
            ["HOME"] = home,
            ["TMPDIR"] = Path.Combine(directory, "tmp"),
            ["USER"] = "vcap",
            ["LANG"] = "en_US.UTF-8",
            ["PATH"] = $"/usr/local/bin:/usr/bin:/bin:{dotnet}",
            ["DOTNET_ROOT"] = dotnet,
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
            ["PORT"] = portText,
            ["VCAP_APP_PORT"] = portText,
            ["VCAP_APP_HOST"] = "0.0.0.0",
            ["INSTANCE_INDEX"] = indexText,
            ["INSTANCE_GUID"] = guid.ToString("D"),
            ["CF_INSTANCE_INDEX"] = indexText,
            ["CF_INSTANCE_GUID"] = guid.ToString("D"),
            ["CF_INSTANCE_IP"] = _options.Address,
            ["CF_INSTANCE_INTERNAL_IP"] = _options.Address,
            ["CF_INSTANCE_PORT"] = portText,
            ["CF_INSTANCE_ADDR"] = $"{_options.Address}:{portText}",
            ["CF_INSTANCE_PORTS"] = $"[{{\"external\":{portText},\"internal\":{portText}}}]",
            ["MEMORY_LIMIT"] = $"{desired.MemoryMb}m",
            ["VCAP_APPLICATION"] = vcap.ToJsonString(),
            ["VCAP_SERVICES"] = "{}",
        })
        {
            environment[key] = value;
        }

        var marker = Marker.Split('=', 2);
        environment[marker[0]] = marker[1];
        return environment;
    }

    private async Task PumpAsync(StreamReader output, Guid app, string source, string index, bool error)
    {
        try
        {
            var buffer = new char[_options.MaxLogLineBytes];
            var line = new System.Text.StringBuilder();
            int read;
            while ((read = await output.ReadAsync(buffer)) > 0)
            {
                for (var i = 0; i < read; i++)
                {
                    if (buffer[i] == '\n')
                    {
                        _logs.Write(app, source, index, line.ToString().TrimEnd('\r'), error);
                        line.Clear();
                    }
                    else if (line.Length < _options.MaxLogLineBytes)
                    {
                        line.Append(buffer[i]);
                    }
                }
            }

            if (line.Length > 0)
            {
                _logs.Write(app, source, index, line.ToString(), error);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // The process is gone.
        }
    }

    private async Task WatchExitAsync(LocalProcess local, Slot slot, Instance instance, DesiredProcess desired, System.Diagnostics.Process process)
    {
        await process.WaitForExitAsync();
        var status = process.ExitCode;
        _logs.Write(desired.App, "CELL", instance.Index.ToString(CultureInfo.InvariantCulture), $"Process exited with status {status}", false);
        Crash(local, slot, instance, desired, $"APP/PROC/{desired.Type.ToUpperInvariant()}: Exited with status {status}");
    }

    /// <summary>Waits for the first passing check (STARTING → RUNNING), then checks liveness until the instance stops.</summary>
    private async Task CheckHealthAsync(LocalProcess local, Slot slot, Instance instance, DesiredProcess desired)
    {
        var token = instance.Life.Token;
        var timeout = TimeSpan.FromSeconds(desired.HealthCheckTimeout is { } t && t > 0 ? t : 60);
        var deadline = _clock.GetUtcNow() + timeout;
        string? failure;
        while ((failure = await CheckAsync(desired, instance, token)) is not null)
        {
            if (_clock.GetUtcNow() > deadline)
            {
                Crash(local, slot, instance, desired, $"Instance never healthy after {timeout.TotalSeconds:0}s: {failure}");
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), _clock, token);
        }

        lock (local)
        {
            if (instance.Life.IsCancellationRequested || instance.State != InstanceStates.Starting)
            {
                return;
            }

            instance.State = InstanceStates.Running;
            instance.Since = _clock.GetUtcNow();
            slot.RunningSince = instance.Since;
            if (slot.Previous is { } previous)
            {
                slot.Previous = null;
                Stop(previous, drain: true);
            }
        }

        _logs.Write(desired.App, "CELL", instance.Index.ToString(CultureInfo.InvariantCulture), "Container became healthy", false);
        WantReport();
        while (!token.IsCancellationRequested)
        {
            await Task.Delay(_options.LivenessPeriod, _clock, token);
            if (await CheckAsync(desired, instance, token) is { } unhealthy && !token.IsCancellationRequested)
            {
                Crash(local, slot, instance, desired, $"Instance became unhealthy: {unhealthy}");
                return;
            }
        }
    }

    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromSeconds(30) });

    /// <summary>One health check; null when it passes, else why not.</summary>
    private async Task<string?> CheckAsync(DesiredProcess desired, Instance instance, CancellationToken cancellationToken)
    {
        if (instance.Process is not { HasExited: false })
        {
            return "the process is not running";
        }

        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(TimeSpan.FromSeconds(1));
        try
        {
            switch (desired.HealthCheckType)
            {
                case "port":
                    using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
                    {
                        await socket.ConnectAsync(IPAddress.Parse(_options.Address), instance.Port, bounded.Token);
                    }

                    return null;
                case "http":
                    var path = string.IsNullOrEmpty(desired.HealthCheckHttpEndpoint) ? "/" : desired.HealthCheckHttpEndpoint;
                    using (var response = await Http.GetAsync(new Uri($"http://{_options.Address}:{instance.Port}{path}"), HttpCompletionOption.ResponseHeadersRead, bounded.Token))
                    {
                        return response.StatusCode == HttpStatusCode.OK ? null : $"GET {path} answered {(int)response.StatusCode}";
                    }

                default:
                    return null;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"the {desired.HealthCheckType} check timed out after 1s";
        }
        catch (Exception ex) when (ex is SocketException or HttpRequestException)
        {
            return desired.HealthCheckType == "port" ? $"failed to make TCP connection to port {instance.Port}: connection refused" : ex.Message;
        }
    }

    /// <summary>
    /// The instance crashed (exit, failed check, start timeout, memory): it is killed and reported, and started again
    /// with Diego's policy: the first three crashes at once, then after 30 s doubling up to 16 min; a run of five
    /// minutes forgives earlier crashes.
    /// </summary>
    private void Crash(LocalProcess local, Slot slot, Instance instance, DesiredProcess desired, string description)
    {
        int count;
        TimeSpan delay;
        var now = _clock.GetUtcNow();
        lock (local)
        {
            if (instance.Life.IsCancellationRequested || slot.Current != instance || !local.Slots.Contains(slot))
            {
                return;
            }

            instance.Life.Cancel();
            instance.State = InstanceStates.Crashed;
            instance.Since = now;
            instance.Details = description;
            if (slot.RunningSince is { } running && now - running >= TimeSpan.FromMinutes(5))
            {
                slot.Crashes = 0;
            }

            slot.RunningSince = null;
            count = ++slot.Crashes;
            delay = count <= 3 ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Min(30 * Math.Pow(2, count - 4), 16 * 60));
            if (slot.Previous is { } previous)
            {
                // The new droplet does not run: the old instance does not serve it either.
                slot.Previous = null;
                Stop(previous, drain: false);
            }

            slot.Restart = _clock.CreateTimer(_ =>
            {
                lock (local)
                {
                    if (slot.Current == instance && local.Slots.Contains(slot) && _processes.TryGetValue((desired.App, desired.Type), out var live) && live == local)
                    {
                        slot.Restart?.Dispose();
                        slot.Restart = null;
                        Launch(local, slot);
                    }
                }
            }, null, delay, Timeout.InfiniteTimeSpan);
        }

        Kill(instance);
        WantReport();
        LogCrashed(desired.App, desired.Type, instance.Index, count, description);
        _ = ReportCrashAsync(desired, instance.Index, now, count, description);
    }

    private async Task ReportCrashAsync(DesiredProcess desired, int index, DateTimeOffset at, int count, string description)
    {
        try
        {
            await _grains.GetGrain<IAppGrain>(desired.App).InstanceCrashedAsync(desired.Type, index, at, count, description);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogCrashNotReported(ex, desired.App, index);
        }
    }

    /// <summary>Stops an instance: out of the routers first, then (after the drain delay) SIGTERM, SIGKILL after the grace.</summary>
    private void Stop(Instance instance, bool drain)
    {
        if (instance.Life.IsCancellationRequested)
        {
            return;
        }

        var wasRunning = instance.State == InstanceStates.Running;
        instance.Life.Cancel();
        instance.State = InstanceStates.Down;
        WantReport();
        _ = Task.Run(async () =>
        {
            try
            {
                if (drain && wasRunning)
                {
                    await Task.Delay(_options.DrainDelay, _clock);
                }

                if (instance.Process is { } process && OsProcesses.SignalGroup(instance.Group, OsProcesses.SigTerm))
                {
                    await process.WaitForExitAsync().WaitAsync(_options.StopGrace, _clock).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
            }
            finally
            {
                Kill(instance);
            }
        });
    }

    /// <summary>SIGKILL to the instance's group, then its folder, pid file and user id are given back.</summary>
    private void Kill(Instance instance)
    {
        OsProcesses.SignalGroup(instance.Group, OsProcesses.SigKill);
        _ = Task.Run(async () =>
        {
            if (instance.Process is { } process)
            {
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5), _clock).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            if (Interlocked.Exchange(ref instance.Released, 1) == 1)
            {
                return;
            }

            try
            {
                if (instance.Directory is { } directory)
                {
                    Directory.Delete(directory, recursive: true);
                }

                File.Delete(PidFile(instance.Guid));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogCleanupFailed(ex, instance.Guid);
            }

            instance.Process?.Dispose();
            if (instance.Uid is { } uid)
            {
                _uids.Give(uid);
            }
        });
    }

    private string PidFile(Guid guid)
    {
        var folder = Path.Combine(Root, "pids");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, guid.ToString("N"));
    }

    /// <summary>
    /// What an earlier silo on this port left (it was killed, so its instances were not stopped): every process that
    /// carries this silo's marker, every process group in its pid files, and the folders.
    /// </summary>
    private void RemoveLeftovers()
    {
        var killed = 0;
        foreach (var pid in OsProcesses.WithEnvironment(Marker))
        {
            OsProcesses.SignalGroup(pid, OsProcesses.SigKill);
            killed += OsProcesses.Kill(pid) ? 1 : 0;
        }

        var pids = Path.Combine(Root, "pids");
        if (Directory.Exists(pids))
        {
            foreach (var file in Directory.EnumerateFiles(pids))
            {
                if (int.TryParse(File.ReadAllText(file).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var group))
                {
                    killed += OsProcesses.SignalGroup(group, OsProcesses.SigKill) ? 1 : 0;
                }
            }
        }

        foreach (var folder in Folders.Select(f => Path.Combine(Root, f)).Where(Directory.Exists))
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogCleanupFailed(ex, Guid.Empty);
            }
        }

        Directory.CreateDirectory(Root);
        if (_os.IsRoot && !OperatingSystem.IsWindows())
        {
            // Instances run as other users: they must be able to pass through to their own folders.
            foreach (var folder in new[] { _options.Directory, Root, Path.Combine(Root, "instances") })
            {
                Directory.CreateDirectory(folder);
                File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            }
        }

        LogStarted(Root, killed);
    }

    private static readonly string[] Folders = ["instances", "tasks", "pids", "droplets", "staging"];

    /// <summary>Measures every instance's CPU and memory from /proc (one pass for all), enforces memory limits, and disk now and then.</summary>
    private void Monitor()
    {
        try
        {
            var now = _clock.GetUtcNow();
            var usage = OsProcesses.UsageByGroup();
            var scanDisk = now - _lastDiskScan > TimeSpan.FromSeconds(30);
            if (scanDisk)
            {
                _lastDiskScan = now;
            }

            foreach (var local in _processes.Values)
            {
                List<Instance> overLimit = [];
                lock (local)
                {
                    foreach (var instance in local.Slots.Select(s => s.Current).OfType<Instance>().Where(i => !i.Life.IsCancellationRequested && i.Group > 0))
                    {
                        var (ticks, resident) = usage.GetValueOrDefault(instance.Group);
                        var cpu = instance.MeasuredAt is { } before && now > before
                            ? Math.Max(0, ticks - instance.CpuTicks) / 100.0 / (now - before).TotalSeconds
                            : 0;
                        var disk = scanDisk && instance.Directory is { } directory ? DiskBytes(directory) : instance.Usage.DiskBytes;
                        (instance.CpuTicks, instance.MeasuredAt) = (ticks, now);
                        instance.Usage = new InstanceUsageReport(cpu, resident, disk, now);
                        if (local.Desired.MemoryMb > 0 && resident > local.Desired.MemoryMb * Mebibyte)
                        {
                            overLimit.Add(instance);
                        }
                    }
                }

                foreach (var instance in overLimit)
                {
                    var slot = local.Slots.FirstOrDefault(s => s.Current == instance);
                    if (slot is not null)
                    {
                        Crash(local, slot, instance, local.Desired, $"APP/PROC/{local.Desired.Type.ToUpperInvariant()}: Exited with status 137 (out of memory)");
                    }
                }
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogMonitorFailed(ex);
        }
    }

    private static long DiskBytes(string directory)
    {
        try
        {
            return new DirectoryInfo(directory).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint })
                .Sum(f => f.Length);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>Asks for a report to the route table soon (coalesced: many changes at once make one report).</summary>
    private void WantReport()
    {
        if (Interlocked.Exchange(ref _reportWanted, 1) == 0)
        {
            _ = Task.Run(ReportAsync);
        }
    }

    /// <summary>Tells the route table everything this silo runs and which instances are RUNNING where.</summary>
    private async Task ReportAsync()
    {
        if (_stopping)
        {
            return;
        }

        await _reporting.WaitAsync();
        try
        {
            Interlocked.Exchange(ref _reportWanted, 0);
            var processes = _processes.Values.Select(local =>
            {
                lock (local)
                {
                    return new RunningProcess(local.Desired.App, local.Desired.Type, [.. local.Slots
                        .Select(s => s.Current).OfType<Instance>()
                        .Concat(local.Slots.Select(s => s.Previous).OfType<Instance>())
                        .Where(i => i.State == InstanceStates.Running && !i.Life.IsCancellationRequested)
                        .Select(i => new InstanceEndpoint(i.Guid.ToString("D"), i.Index, _options.Address, i.Port))]);
                }
            }).ToImmutableArray();
            await _grains.GetGrain<IRouteTableGrain>(0).ReportAsync(_silo, processes, _options.ReportPeriod * 3);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogReportFailed(ex);
        }
        finally
        {
            _reporting.Release();
        }
    }

    private static int FreePort(string address)
    {
        using var listener = new TcpListener(IPAddress.Parse(address), 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A host disposed synchronously still stops every instance.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _monitor.DisposeAsync();
        await _reporter.DisposeAsync();
        var instances = new List<Instance>();
        foreach (var local in _processes.Values)
        {
            lock (local)
            {
                foreach (var slot in local.Slots)
                {
                    slot.CancelRestart();
                    instances.AddRange(new[] { slot.Current, slot.Previous }.OfType<Instance>());
                }
            }
        }

        _processes.Clear();
        foreach (var instance in instances)
        {
            instance.Life.Cancel();
            OsProcesses.SignalGroup(instance.Group, OsProcesses.SigTerm);
        }

        await Task.WhenAll(instances.Select(i => i.Process?.WaitForExitAsync() ?? Task.CompletedTask))
            .WaitAsync(TimeSpan.FromSeconds(3), _clock).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (var instance in instances)
        {
            Kill(instance);
        }
    }

    /// <summary>A task's process while it runs.</summary>
    private sealed class TaskRun(string directory)
    {
        public string Directory { get; } = directory;

        public int? Uid { get; set; }

        public System.Diagnostics.Process? Process { get; set; }

        public bool Canceled { get; set; }
    }

    /// <summary>What runs of one process type of one app.</summary>
    private sealed class LocalProcess(DesiredProcess desired)
    {
        public DesiredProcess Desired { get; set; } = desired;

        public List<Slot> Slots { get; } = [];
    }

    /// <summary>One instance index: the instance there now, the one it replaces, its crash count and pending restart.</summary>
    private sealed class Slot(int index)
    {
        public int Index { get; } = index;

        public Instance? Current { get; set; }

        public Instance? Previous { get; set; }

        public int Crashes { get; set; }

        public DateTimeOffset? RunningSince { get; set; }

        public ITimer? Restart { get; set; }

        public void CancelRestart()
        {
            Restart?.Dispose();
            Restart = null;
        }

        /// <summary>The slot is no longer desired: everything in it stops.</summary>
        public void Retire(LocalRuntime runtime)
        {
            CancelRestart();
            foreach (var instance in new[] { Current, Previous }.OfType<Instance>())
            {
                runtime.Stop(instance, drain: true);
            }

            (Current, Previous) = (null, null);
        }

        /// <summary>A new instance takes this slot; a RUNNING one stays until its successor runs.</summary>
        public void Replace(LocalRuntime runtime, LocalProcess local)
        {
            CancelRestart();
            Crashes = 0;
            if (Previous is { } older)
            {
                runtime.Stop(older, drain: false);
            }

            Previous = null;
            if (Current is { State: InstanceStates.Running } running)
            {
                Previous = running;
            }
            else if (Current is { } current)
            {
                runtime.Stop(current, drain: false);
            }

            runtime.Launch(local, this);
        }
    }

    /// <summary>One instance: its process, port, folder, user id, state and last measured usage.</summary>
    private sealed class Instance(Guid guid, int index, DateTimeOffset created)
    {
        public Guid Guid { get; } = guid;

        public int Index { get; } = index;

        /// <summary>Cancelled when the instance stops or crashes: its checks end and nothing reports it RUNNING again.</summary>
        public CancellationTokenSource Life { get; } = new();

        public string State { get; set; } = InstanceStates.Starting;

        public DateTimeOffset Since { get; set; } = created;

        public string? Details { get; set; }

        public string? Directory { get; set; }

        public int Port { get; set; }

        public int? Uid { get; set; }

        public System.Diagnostics.Process? Process { get; set; }

        public int Group { get; set; }

        public long CpuTicks { get; set; }

        public DateTimeOffset? MeasuredAt { get; set; }

        public InstanceUsageReport Usage { get; set; } = InstanceUsageReport.None;

        public int Released;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Local runtime in {Root}; {Killed} process groups left by an earlier silo were killed")]
    private partial void LogStarted(string root, int killed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Instance {Index} of app {App} ({Type}) did not start")]
    private partial void LogStartFailed(Exception exception, Guid app, string type, int index);

    [LoggerMessage(Level = LogLevel.Information, Message = "Instance {Index} of app {App} ({Type}) crashed ({Count} so far): {Description}")]
    private partial void LogCrashed(Guid app, string type, int index, int count, string description);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The crash of instance {Index} of app {App} could not be reported")]
    private partial void LogCrashNotReported(Exception exception, Guid app, int index);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The folder of instance {Instance} could not be removed")]
    private partial void LogCleanupFailed(Exception exception, Guid instance);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Measuring the instances failed")]
    private partial void LogMonitorFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telling the route table what runs here failed; the next report tries again")]
    private partial void LogReportFailed(Exception exception);
}
