using CloudController.GrainInterfaces.Indexes;
namespace CloudController.GrainInterfaces.Apps;

/// <summary>A v2 app (key: its guid): its settings and its STOPPED/STARTED and PENDING/STAGED/FAILED state machines.</summary>
[Alias("CloudController.GrainInterfaces.Apps.IAppGrain")]
public interface IAppGrain : IIndexedGrain
{
    /// <summary>Creates the app; raises AppNameTaken, AppInvalid, AppMemoryInvalid, AppPackageInvalid (STARTED without bits).</summary>
    [Alias("CreateAsync")]
    Task<AppSnapshot> CreateAsync(AppFields fields);

    /// <summary>The app; raises AppNotFound.</summary>
    [Alias("GetAsync")]
    Task<AppSnapshot> GetAsync();

    /// <summary>The app, or null when it does not exist (for listings).</summary>
    [Alias("FindAsync")]
    Task<AppSnapshot?> FindAsync();

    /// <summary>Applies the named fields; raises AppNotFound, AppNameTaken, AppInvalid, AppPackageInvalid.</summary>
    [Alias("UpdateAsync")]
    Task<AppSnapshot> UpdateAsync(AppFields fields);

    /// <summary>Starts or stops the app (v3's actions), recording only <c>audit.app.start</c> or <c>.stop</c>; raises what <see cref="UpdateAsync"/> raises.</summary>
    [Alias("SetStateAsync")]
    Task<AppSnapshot> SetStateAsync(AppState desired);

    /// <summary>Records newly stored bits: a different hash marks the app for staging; the old package blob is deleted.</summary>
    [Alias("SetPackageAsync")]
    Task<AppSnapshot> SetPackageAsync(Bits.PackageInfo package);

    /// <summary>Restages (spec 2.15): STARTED, new version, PENDING; raises NotStaged while staging, AppPackageInvalid without bits.</summary>
    [Alias("RestageAsync")]
    Task<AppSnapshot> RestageAsync();

    /// <summary>A droplet reports its staging outcome; answers false when the outcome was superseded (the droplet should expire).</summary>
    [Alias("CompleteStagingAsync")]
    Task<bool> CompleteStagingAsync(Droplets.DropletSnapshot droplet);

    /// <summary>Reserves the app's one staging slot for a v3 droplet; raises StagingInProgress while another stages.</summary>
    [Alias("ReserveStagingAsync")]
    Task ReserveStagingAsync(Guid dropletGuid);

    /// <summary>
    /// Makes a STAGED droplet of this app its current one (v3). The seed era's <c>PUT current_droplet</c> raises
    /// UnprocessableEntity unless STOPPED; today's relationship (<paramref name="whileStarted"/>) may change it under a
    /// started app, whose instances take it at their next start.
    /// </summary>
    [Alias("SetCurrentDropletAsync")]
    Task<AppSnapshot> SetCurrentDropletAsync(Droplets.DropletSnapshot droplet, bool whileStarted);

    /// <summary>What the runtime reports of one of the app's processes (no instances unless STARTED). Interleaves: it reads only the runtime.</summary>
    [Alias("ProcessInstancesAsync"), Orleans.Concurrency.AlwaysInterleave]
    Task<Runtime.ProcessReport> InstancesAsync(string type);

    /// <summary>
    /// Changes one process (web: the app's own fields) within the org's quota, recording <paramref name="auditType"/>
    /// (<c>audit.app.process.update</c> or <c>.scale</c>); raises ProcessNotFound for a type the app lacks.
    /// </summary>
    [Alias("UpdateProcessAsync")]
    Task<AppSnapshot> UpdateProcessAsync(string type, ProcessFields fields, string auditType);

    /// <summary>Restarts one instance of a process (CF's <c>DELETE .../instances/:index</c>); raises AppNotFound.</summary>
    [Alias("StopProcessInstanceAsync")]
    Task StopInstanceAsync(string type, int index);

    /// <summary>The runtime reports that an instance crashed (its <paramref name="count"/>th crash): an <c>app.crash</c> event and log lines.</summary>
    [Alias("ProcessInstanceCrashedAsync"), Orleans.Concurrency.AlwaysInterleave]
    Task InstanceCrashedAsync(string type, int index, DateTimeOffset at, int count, string description);

    /// <summary>
    /// Whether the app, as stored, counts in <paramref name="organization"/>'s usage ledger: its stored demand is set
    /// there (true), or it is released there (false). The ledger asks this of every app it holds, so a reservation whose
    /// store failed does not stay.
    /// </summary>
    [Alias("ConfirmUsageAsync"), ResponseTimeout(Hosting.CallBounds.Nested)]
    Task<bool> ConfirmUsageAsync(Guid organization);

    /// <summary>Nothing but activation: an activating app desires its process again (the convergence pass calls this).</summary>
    [Alias("ConvergeAsync")]
    Task ConvergeAsync();

    /// <summary>Deletes the app and its bits; raises AppNotFound.</summary>
    [Alias("DeleteAsync")]
    Task DeleteAsync();
}
