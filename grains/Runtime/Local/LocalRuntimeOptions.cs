namespace CloudController.Grains.Runtime.Local;

/// <summary>Settings of the local runtime (configuration section <c>CloudController:Runtime:Local</c>).</summary>
public sealed class LocalRuntimeOptions
{
    public const string Section = "CloudController:Runtime:Local";

    /// <summary>
    /// Where instances and staging run and droplets are cached. Each silo uses its own folder below it (named after its
    /// silo port), and removes whatever an earlier, killed silo left there when it starts.
    /// </summary>
    public string Directory { get; set; } = Path.Combine(Path.GetTempPath(), "cloud-controller-local");

    /// <summary>The address instances listen on and the routers reach them at (the silo's advertised address in a cluster).</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>When the silo runs as root, each instance and staging runs as its own user id from this one up.</summary>
    public int UidBase { get; set; } = 42000;

    /// <summary>How long a stopping instance has between SIGTERM and SIGKILL.</summary>
    public TimeSpan StopGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long an instance leaving the routers keeps serving before it is asked to stop (in-flight requests finish).</summary>
    public TimeSpan DrainDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often a RUNNING instance's health check runs again (a failure crashes it).</summary>
    public TimeSpan LivenessPeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often usage (CPU, memory, disk) is measured and memory limits enforced.</summary>
    public TimeSpan MonitorPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the silo tells the route table what runs (it also tells at once after every change).</summary>
    public TimeSpan ReportPeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest a staging may run before it fails with StagingTimeExpired.</summary>
    public TimeSpan StagingTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The Cloud Controller's URL as instances see it (<c>VCAP_APPLICATION.cf_api</c>).</summary>
    public string CfApi { get; set; } = "http://127.0.0.1:9022";

    /// <summary>Bytes one instance's log line keeps (longer lines are cut, as Loggregator does).</summary>
    public int MaxLogLineBytes { get; set; } = 64 * 1024;
}
