using CloudController.GrainInterfaces.Runtime;

namespace CloudController.Grains.Runtime;

/// <summary>
/// The one seam between the Cloud Controller and whatever runs apps (Diego's BBS in Cloud Foundry, Kubernetes, or
/// the simulated provider this server ships). The app grain owns what is desired and tells the runtime; the runtime
/// owns what actually runs and reports it. Every call is idempotent: desiring what is already desired keeps its
/// instances (and their <c>since</c>), so the app grain can re-desire after any restart.
/// </summary>
public interface IAppRuntime
{
    /// <summary>What <c>app.crash</c> events name as the cell that ran the instance.</summary>
    string CellId { get; }

    /// <summary>A short description for <c>/v2/info</c> and the log (what this runtime does and does not do).</summary>
    string Description { get; }

    /// <summary>Runs (or keeps running) <paramref name="process"/> with its instance count, limits and droplet.</summary>
    Task DesireAsync(DesiredProcess process, CancellationToken cancellationToken);

    /// <summary>Stops every instance of the app's process; a no-op when none runs.</summary>
    Task StopAsync(Guid app, string type, CancellationToken cancellationToken);

    /// <summary>Restarts one instance (CF's <c>DELETE .../instances/:index</c>); a no-op for an index that is not desired.</summary>
    Task StopInstanceAsync(Guid app, string type, int index, CancellationToken cancellationToken);

    /// <summary>What runs of the process now; no instances when nothing is desired here.</summary>
    Task<ProcessReport> ReportAsync(Guid app, string type, CancellationToken cancellationToken);

    /// <summary>The processes desired here now (what <see cref="ReportAsync"/> answers for), for the instance gauge.</summary>
    IEnumerable<(Guid App, string Type)> DesiredHere { get; }

    /// <summary>
    /// The app's grain is leaving this silo (it deactivates; a STARTED app's grain stays active while the convergence
    /// pass reaches it every period, so this is a silo stopping or the grain moving). A provider that keeps what runs
    /// in the silo's memory forgets the process here, since the grain desires it again wherever it activates next; a
    /// provider backed by an external runtime (Diego, Kubernetes) does nothing: the process keeps running.
    /// </summary>
    Task DetachAsync(Guid app, string type, CancellationToken cancellationToken);

    /// <summary>Whether tasks really run here; when not, the task grain plays them out on its own clock.</summary>
    bool RunsTasks { get; }

    /// <summary>Starts a task's process; its exit status is told to the task's grain (<c>ITaskGrain.ExitedAsync</c>).</summary>
    Task RunTaskAsync(DesiredTask task, CancellationToken cancellationToken);

    /// <summary>Whether the task's process runs here now.</summary>
    bool Runs(Guid task);

    /// <summary>Stops a task's process (SIGTERM, then SIGKILL); a no-op when it does not run here.</summary>
    Task CancelTaskAsync(Guid task, CancellationToken cancellationToken);
}

/// <summary>A one-off task as the Cloud Controller wants it run: the app's droplet and environment with the task's command.</summary>
public sealed record DesiredTask(
    Guid Task,
    string Name,
    Guid App,
    string AppName,
    Guid SpaceGuid,
    Guid Droplet,
    Guid Version,
    string Command,
    int MemoryMb,
    int DiskMb,
    IReadOnlyDictionary<string, string> Environment);

/// <summary>A process as the Cloud Controller wants it run.</summary>
public sealed record DesiredProcess(
    Guid App,
    string Type,
    Guid Droplet,
    Guid Version,
    int Instances,
    int MemoryMb,
    int DiskMb,
    string? Command,
    IReadOnlyDictionary<string, string> Environment)
{
    /// <summary>The app's name (<c>VCAP_APPLICATION</c> and log lines).</summary>
    public string AppName { get; init; } = "";

    /// <summary>The app's space (a runtime that runs real processes reads its name and organization).</summary>
    public Guid SpaceGuid { get; init; }

    /// <summary>The process's guid (<c>VCAP_APPLICATION.process_id</c>).</summary>
    public Guid ProcessGuid { get; init; }

    /// <summary>How the runtime tells that an instance is up: CF's <c>port</c>, <c>http</c>, <c>process</c> (or <c>none</c>).</summary>
    public string HealthCheckType { get; init; } = "port";

    /// <summary>The path an <c>http</c> health check requests (default <c>/</c>).</summary>
    public string? HealthCheckHttpEndpoint { get; init; }

    /// <summary>Seconds an instance may take to pass its first health check (CF's default 60).</summary>
    public int? HealthCheckTimeout { get; init; }
}
