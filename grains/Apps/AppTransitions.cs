using System.Collections.Immutable;
using System.Text.Json;
using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Bits;
using CloudController.GrainInterfaces.Droplets;
using CloudController.GrainInterfaces.Errors;

namespace CloudController.Grains.Apps;

/// <summary>
/// The app's state machine, pure (no I/O, no clock, no Orleans): its desired state (STOPPED/STARTED), its package
/// state (PENDING → STAGED or FAILED), the staging in flight, and the validation of its settings (app.rb, spec
/// 2.6-2.9 and 4.1-4.2). A staging is always for one package: its outcome is accepted only while that staging is the
/// one in flight for the app's current package, so new bits during a staging make the old outcome stale (and a
/// started app stages the new bits).
/// </summary>
/// <remarks>
/// <code>
/// package state   event                                   next
/// (none)          Create                                  PENDING, STOPPED, no package
/// any             SetPackage (other sha1)                 PENDING, staging in flight dropped; STARTED and staging → Stage(new bits)
/// any             SetPackage (same sha1)                  unchanged but the times
/// PENDING/FAILED  Update to STARTED with bits             Stage: PENDING, staging in flight (droplet, package)
/// any             Update buildpack / stack / docker       PENDING (the droplet no longer matches)
/// any with bits   Restage (no staging in flight)          STARTED, new version, Stage
/// PENDING         CompleteStaging, droplet+package match  STAGED (droplet current, processes from its types) or FAILED
/// PENDING         CompleteStaging, anything else          unchanged (stale: the droplet expires)
/// any             SetCurrentDroplet (STOPPED, STAGED)     STAGED, that droplet current
/// </code>
/// </remarks>
internal static class AppTransitions
{
    public const int DefaultMemory = 1024;
    public const int DefaultDiskQuota = 1024;
    public const int MaxDiskQuota = 2048;
    public const int MaxHealthCheckTimeout = 180;

    /// <summary>CF's column sizes: names as org and space names, free text (command, buildpack) as CF's text limits.</summary>
    public const int MaxNameLength = 255;
    public const int MaxCommandLength = 4096;
    public const int MaxBuildpackLength = 4096;
    public const int MaxHealthCheckEndpointLength = 255;

    /// <summary>The largest environment (<c>environment_json</c>, v3's <c>environment_variables</c>) an app may hold, serialized.</summary>
    public const int MaxEnvironmentBytes = 50 * 1024;
    public const string BitsNotUploaded = "The app package is invalid: bits have not been uploaded";

    private static readonly string[] HealthCheckTypes = ["port", "process", "http", "none"];

    public static StoredApp Create(Guid guid, AppFields fields, DateTimeOffset now, Guid version, AppLimits? limits = null)
    {
        var diego = fields.Diego ?? false;
        var web = new StoredProcess
        {
            Guid = guid,
            Type = AppProcess.Web,
            Instances = fields.Instances ?? 1,
            Memory = fields.Memory ?? DefaultMemory,
            DiskQuota = fields.DiskQuota ?? DefaultDiskQuota,
            Command = fields.Command,
            HealthCheckType = fields.HealthCheckType ?? "port",
            HealthCheckTimeout = fields.HealthCheckTimeout,
            HealthCheckHttpEndpoint = fields.HealthCheckHttpEndpoint,
            CreatedAt = now,
        };
        var app = new StoredApp
        {
            Name = fields.Name ?? "",
            SpaceGuid = fields.SpaceGuid ?? Guid.Empty,
            StackGuid = fields.StackGuid ?? Guid.Empty,
            Production = fields.Production ?? false,
            Buildpack = fields.Buildpack,
            EnvironmentJson = fields.EnvironmentJson ?? "{}",
            Metadata = GrainInterfaces.Metadata.ResourceMetadata.Empty.Apply(fields.Metadata),
            State = AppState.Stopped,
            Version = version,
            Console = fields.Console ?? false,
            Debug = fields.Debug,
            PackageState = AppPackageState.Pending,
            Diego = diego,
            DockerImage = DockerImage(fields.DockerImage),
            EnableSsh = fields.EnableSsh ?? true,
            Ports = fields.Ports ?? (diego ? [8080] : null),
            Processes = [web],
            CreatedAt = now,
        };
        Validate(app, web, limits ?? AppLimits.Default);
        return fields.State == AppState.Started
            ? throw new CloudControllerException(CfErrorCode.AppPackageInvalid, BitsNotUploaded)
            : app;
    }

    /// <summary>
    /// Applies the named fields. Answers the next app and whether it must now be staged (it was started, or failed
    /// and is started again, with bits that are not staged): the caller then begins a staging (<see cref="BeginStaging"/>).
    /// </summary>
    public static (StoredApp Next, bool Stage) Update(StoredApp current, AppFields fields, DateTimeOffset now, Guid newVersion, AppLimits? limits = null)
    {
        bool Cleared(AppSetting setting) => fields.Cleared.Contains(setting);
        var web = current.Web;
        var nextWeb = web with
        {
            Instances = fields.Instances ?? web.Instances,
            Memory = fields.Memory ?? web.Memory,
            DiskQuota = fields.DiskQuota ?? web.DiskQuota,
            Command = fields.Command ?? (Cleared(AppSetting.Command) ? null : web.Command),
            HealthCheckType = fields.HealthCheckType ?? web.HealthCheckType,
            HealthCheckTimeout = fields.HealthCheckTimeout ?? (Cleared(AppSetting.HealthCheckTimeout) ? null : web.HealthCheckTimeout),
            HealthCheckHttpEndpoint = fields.HealthCheckHttpEndpoint
                ?? (Cleared(AppSetting.HealthCheckHttpEndpoint) ? null : web.HealthCheckHttpEndpoint),
        };
        var next = current.WithWeb(nextWeb) with
        {
            Name = fields.Name ?? current.Name,
            SpaceGuid = fields.SpaceGuid ?? current.SpaceGuid,
            StackGuid = fields.StackGuid ?? current.StackGuid,
            Production = fields.Production ?? current.Production,
            Buildpack = fields.Buildpack ?? (Cleared(AppSetting.Buildpack) ? null : current.Buildpack),
            EnvironmentJson = fields.EnvironmentJson ?? (fields.EnvironmentPatch is { } patch ? MergeEnvironment(current.EnvironmentJson, patch) : current.EnvironmentJson),
            Metadata = (current.Metadata ?? GrainInterfaces.Metadata.ResourceMetadata.Empty).Apply(fields.Metadata),
            State = fields.State ?? current.State,
            Console = fields.Console ?? current.Console,
            Debug = fields.Debug ?? (Cleared(AppSetting.Debug) ? null : current.Debug),
            Diego = fields.Diego ?? current.Diego,
            DockerImage = fields.DockerImage is not null ? DockerImage(fields.DockerImage) : Cleared(AppSetting.DockerImage) ? null : current.DockerImage,
            EnableSsh = fields.EnableSsh ?? current.EnableSsh,
            Ports = fields.Ports ?? (Cleared(AppSetting.Ports) ? null : current.Ports),
            UpdatedAt = now,
        };
        Validate(next, nextWeb, limits ?? AppLimits.Default);

        if (next.State == AppState.Started && next.Package is null && next.DockerImage is null && next.CurrentDropletGuid is null)
        {
            throw new CloudControllerException(CfErrorCode.AppPackageInvalid, BitsNotUploaded);
        }

        // Changing how the app is built invalidates its droplet: it must be staged again.
        if (next.Buildpack != current.Buildpack || next.StackGuid != current.StackGuid || next.DockerImage != current.DockerImage)
        {
            next = MarkForStaging(next);
        }

        // CF regenerates version when a started app is saved with a new state or new run settings.
        var runSettingsChanged = next.State != current.State || nextWeb.Memory != web.Memory
            || nextWeb.HealthCheckType != web.HealthCheckType || next.EnableSsh != current.EnableSsh || next.Ports != current.Ports;
        next = next.State == AppState.Started && runSettingsChanged ? next with { Version = newVersion } : next;
        var stage = next.State == AppState.Started && next.PackageState != AppPackageState.Staged && next.Package is not null
            && next.Staging is null && (current.State != AppState.Started || current.PackageState == AppPackageState.Failed);
        return (next, stage);
    }

    /// <summary>
    /// New bits. A different hash marks the app for staging (spec 4.2) and makes any staging in flight stale (its
    /// outcome is for the old bits); a started app that was staging must stage the new bits instead (answered as
    /// <c>Stage</c>). The same hash changes nothing but the times.
    /// </summary>
    public static (StoredApp Next, bool Stage) SetPackage(StoredApp app, PackageInfo package, DateTimeOffset now)
    {
        var next = app with { Package = StoredPackage.From(package), PackageUpdatedAt = now, UpdatedAt = now };
        if (package.Sha1 == app.Package?.Sha1)
        {
            return (next, false);
        }

        next = MarkForStaging(next) with { Staging = null };
        return (next, app.Staging is not null && next.State == AppState.Started);
    }

    /// <summary>A staging of the app's current package begins: PENDING, failure cleared, the staging (droplet and package) recorded.</summary>
    public static StoredApp BeginStaging(StoredApp app, Guid dropletGuid) =>
        app.Package is { } package
            ? MarkForStaging(app) with { Staging = new StagingRef(dropletGuid, package.PackageGuid), StagingTaskId = dropletGuid }
            : throw new CloudControllerException(CfErrorCode.AppPackageInvalid, BitsNotUploaded);

    /// <summary>
    /// Restage (spec 2.15, 2016): refused without bits, and while a staging is in flight (CF refuses every PENDING
    /// app; one whose staging never started or was lost may restage, so no app is stuck in PENDING); then STARTED
    /// with a new version, staging.
    /// </summary>
    public static StoredApp Restage(StoredApp app, DateTimeOffset now, Guid version, Guid dropletGuid, bool stagingInFlight)
    {
        if (app.Package is null)
        {
            throw new CloudControllerException(CfErrorCode.AppPackageInvalid, BitsNotUploaded);
        }

        if (app.PackageState == AppPackageState.Pending && stagingInFlight)
        {
            throw new CloudControllerException(CfErrorCode.NotStaged, "App has not finished staging");
        }

        return BeginStaging(app, dropletGuid) with { State = AppState.Started, Version = version, UpdatedAt = now };
    }

    /// <summary>
    /// A staging outcome: applied only when it is the staging in flight and of the package the app has now; anything
    /// else (superseded by new bits or a newer staging) leaves the app as it is.
    /// </summary>
    public static StoredApp CompleteStaging(StoredApp app, DropletSnapshot droplet, DateTimeOffset now, Func<Guid>? newGuid = null)
    {
        if (app.Staging is not { } staging || staging.DropletGuid != droplet.Guid || staging.PackageGuid != droplet.PackageGuid
            || app.Package?.PackageGuid != staging.PackageGuid || app.PackageState != AppPackageState.Pending)
        {
            return app;
        }

        return droplet.State == DropletState.Staged
            ? SyncProcesses(app with
            {
                PackageState = AppPackageState.Staged,
                Staging = null,
                DetectedBuildpack = droplet.Buildpack,
                CurrentDropletGuid = droplet.Guid,
                UpdatedAt = now,
            }, droplet, now, newGuid ?? Guid.NewGuid)
            : app with
            {
                PackageState = AppPackageState.Failed,
                Staging = null,
                StagingFailedReason = droplet.FailureReason,
                StagingFailedDescription = FailureDescription(droplet.FailureReason),
                // Diego stops an app whose staging failed; the DEA backend leaves it started.
                State = app.Diego ? AppState.Stopped : app.State,
                UpdatedAt = now,
            };
    }

    /// <summary>v3 <c>current_droplet</c>: only a STOPPED app, only a STAGED droplet of its own; the v2 view becomes STAGED.</summary>
    public static StoredApp SetCurrentDroplet(StoredApp app, Guid appGuid, DropletSnapshot droplet, DateTimeOffset now, Func<Guid>? newGuid = null, bool whileStarted = false)
    {
        if (app.State != AppState.Stopped && !whileStarted)
        {
            throw CloudControllerException.Unprocessable("Stop the app before changing droplet");
        }

        if (droplet.AppGuid != appGuid)
        {
            throw CloudControllerException.DropletNotFound();
        }

        return droplet.State == DropletState.Staged
            ? SyncProcesses(app with
            {
                CurrentDropletGuid = droplet.Guid,
                PackageState = AppPackageState.Staged,
                Staging = null,
                DetectedBuildpack = droplet.Buildpack,
                StagingFailedReason = null,
                StagingFailedDescription = null,
                UpdatedAt = now,
            }, droplet, now, newGuid ?? Guid.NewGuid)
            : throw CloudControllerException.Unprocessable("Droplet must be STAGED to be the current droplet");
    }

    /// <summary>
    /// The app's processes follow its current droplet's types: web takes the droplet's start command; a new type
    /// starts with 0 instances, the default memory, the web process's disk and a <c>process</c> health check (as CF
    /// creates them); a kept type keeps its settings and takes the new command; a type the droplet no longer declares
    /// is gone.
    /// </summary>
    public static StoredApp SyncProcesses(StoredApp app, DropletSnapshot droplet, DateTimeOffset now, Func<Guid> newGuid)
    {
        var types = droplet.Types;
        var web = app.Web with { DetectedCommand = droplet.StartCommand ?? types.GetValueOrDefault(AppProcess.Web) ?? "" };
        var others = types
            .Where(t => t.Key != AppProcess.Web)
            .OrderBy(t => t.Key, StringComparer.Ordinal)
            .Select(t => app.Process(t.Key) is { } kept
                ? kept.DetectedCommand == t.Value ? kept : kept with { DetectedCommand = t.Value, UpdatedAt = now }
                : new StoredProcess
                {
                    Guid = newGuid(),
                    Type = t.Key,
                    Instances = 0,
                    Memory = DefaultMemory,
                    DiskQuota = web.DiskQuota,
                    DetectedCommand = t.Value,
                    HealthCheckType = "process",
                    CreatedAt = now,
                });
        // A type the user declared with its own command (a manifest's process) stays without the droplet naming it.
        var declared = app.Processes.Where(p => p.Type != AppProcess.Web && p.Command is not null && !types.ContainsKey(p.Type));
        return app with { Processes = [web, .. others.Concat(declared).OrderBy(p => p.Type, StringComparer.Ordinal)] };
    }

    /// <summary>A change to one process, validated as the app's settings are. Raises ProcessNotFound for a type the app lacks.</summary>
    public static StoredApp UpdateProcess(StoredApp app, string type, ProcessFields fields, DateTimeOffset now, AppLimits? limits = null, Func<Guid>? newGuid = null)
    {
        if (app.Process(type) is null && fields.CreateMissing)
        {
            // A manifest's new type: CF's defaults for a non-web process, then the manifest's settings.
            var created = new StoredProcess
            {
                Guid = (newGuid ?? Guid.NewGuid)(),
                Type = type,
                Instances = 0,
                Memory = DefaultMemory,
                DiskQuota = app.Web.DiskQuota,
                HealthCheckType = "process",
                CreatedAt = now,
            };
            app = app with { Processes = [.. app.Processes, created] };
        }

        var current = app.Process(type) ?? throw CloudControllerException.ProcessNotFound();
        var next = current with
        {
            Instances = fields.Instances ?? current.Instances,
            Memory = fields.Memory ?? current.Memory,
            DiskQuota = fields.DiskQuota ?? current.DiskQuota,
            Command = fields.Command ?? (fields.ClearCommand ? null : current.Command),
            HealthCheckType = fields.HealthCheckType ?? current.HealthCheckType,
            HealthCheckTimeout = fields.HealthCheckTimeout ?? current.HealthCheckTimeout,
            HealthCheckHttpEndpoint = fields.HealthCheckHttpEndpoint ?? current.HealthCheckHttpEndpoint,
            UpdatedAt = now,
        };
        Validate(app, next, limits ?? AppLimits.Default);
        return app with { Processes = app.Processes.Replace(current, next), UpdatedAt = now };
    }

    /// <summary>The demand on the organization's quota: every process's memory and instances while STARTED.</summary>
    public static GrainInterfaces.Quotas.AppDemand Demand(StoredApp app)
    {
        var web = app.Web;
        var others = app.Processes.Where(p => p.Type != AppProcess.Web).ToList();
        return new(web.Memory, web.Instances, app.State == AppState.Started,
            others.Sum(p => (long)p.Memory * p.Instances), others.Sum(p => p.Instances),
            others.Where(p => p.Instances > 0).Select(p => p.Memory).DefaultIfEmpty(0).Max());
    }

    private static string FailureDescription(string? reason) => reason switch
    {
        StagingFailureReasons.NoAppDetectedError => "An app was not successfully detected by any available buildpack",
        _ => "Staging error: staging failed",
    };

    /// <summary>package_state back to PENDING with the failure fields cleared (new bits, buildpack or stack).</summary>
    private static StoredApp MarkForStaging(StoredApp app) => app with
    {
        PackageState = AppPackageState.Pending,
        StagingFailedReason = null,
        StagingFailedDescription = null,
    };

    /// <summary>The app's settings with <paramref name="process"/> as the one being changed (web's, or another type's).</summary>
    private static void Validate(StoredApp app, StoredProcess process, AppLimits limits)
    {
        if (app.Name.Length > MaxNameLength)
        {
            throw CloudControllerException.AppInvalid($"name is too long (maximum is {MaxNameLength} characters)");
        }

        if (app.Name.Trim().Length == 0 || app.Name.Any(char.IsControl))
        {
            throw CloudControllerException.AppInvalid("name can't be blank and must be printable");
        }

        if (process.Command?.Length > MaxCommandLength)
        {
            throw CloudControllerException.AppInvalid($"command is too long (maximum is {MaxCommandLength} characters)");
        }

        if (app.Buildpack?.Length > MaxBuildpackLength)
        {
            throw CloudControllerException.AppInvalid($"buildpack is too long (maximum is {MaxBuildpackLength} characters)");
        }

        if (process.Memory <= 0 || process.Memory > limits.MaxMemory)
        {
            throw new CloudControllerException(CfErrorCode.AppMemoryInvalid, "You have specified an invalid amount of memory for your application.");
        }

        if (process.Instances < 0)
        {
            throw CloudControllerException.AppInvalid("Number of instances less than 0");
        }

        if (process.Instances > limits.MaxInstances)
        {
            throw CloudControllerException.AppInvalid($"instances must be at most {limits.MaxInstances} (the platform's limit per app)");
        }

        if (process.DiskQuota < 1 || process.DiskQuota > MaxDiskQuota)
        {
            throw CloudControllerException.AppInvalid(process.DiskQuota < 1
                ? "disk_quota must be greater than 0"
                : $"disk_quota too much disk requested (must be less than {MaxDiskQuota})");
        }

        if (!HealthCheckTypes.Contains(process.HealthCheckType))
        {
            throw CloudControllerException.AppInvalid("health_check_type must be one of port, process, http, none");
        }

        if (process.HealthCheckHttpEndpoint is { } endpoint
            && (!endpoint.StartsWith('/') || endpoint.Length > MaxHealthCheckEndpointLength || endpoint.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))))
        {
            throw CloudControllerException.AppInvalid("health_check_http_endpoint must be a valid URI path");
        }

        if (process.HealthCheckTimeout is < 1 or > MaxHealthCheckTimeout)
        {
            throw CloudControllerException.AppInvalid($"health_check_timeout must be between 1 and {MaxHealthCheckTimeout}");
        }

        ValidateEnvironment(app.EnvironmentJson);
    }

    /// <summary>The app's variables with <paramref name="patchJson"/>'s set (a null value removes its key), in their order.</summary>
    public static string MergeEnvironment(string environmentJson, string patchJson)
    {
        var merged = System.Text.Json.Nodes.JsonNode.Parse(environmentJson) as System.Text.Json.Nodes.JsonObject ?? [];
        if (System.Text.Json.Nodes.JsonNode.Parse(patchJson) is not System.Text.Json.Nodes.JsonObject patch)
        {
            throw CloudControllerException.Unprocessable("Var must be an object");
        }

        foreach (var (key, value) in patch)
        {
            if (value is null)
            {
                merged.Remove(key);
            }
            else
            {
                merged[key] = value.DeepClone();
            }
        }

        return merged.ToJsonString();
    }

    private static void ValidateEnvironment(string environmentJson)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(environmentJson) > MaxEnvironmentBytes)
        {
            throw CloudControllerException.AppInvalid($"environment_json must be at most {MaxEnvironmentBytes} bytes when serialized");
        }

        using var document = JsonDocument.Parse(environmentJson);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw CloudControllerException.AppInvalid("environment_json must be a hash");
        }

        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (property.Name.StartsWith("VCAP_", StringComparison.Ordinal) || property.Name.StartsWith("VMC_", StringComparison.Ordinal))
            {
                throw CloudControllerException.AppInvalid($"environment_json reserved_key:{property.Name}");
            }
        }
    }

    // CF appends ":latest" to an untagged image ("a/b" → "a/b:latest"; a registry port is not a tag).
    private static string? DockerImage(string? image) =>
        string.IsNullOrWhiteSpace(image) ? null
        : image[(image.LastIndexOf('/') + 1)..].Contains(':', StringComparison.Ordinal) ? image
        : $"{image}:latest";
}
