using System.Collections.Immutable;
using System.Text.Json;
using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Bits;
using CloudController.GrainInterfaces.Droplets;
using CloudController.GrainInterfaces.Errors;

namespace CloudController.Grains.Apps;

/// <summary>
/// The v2 app's rules (app.rb validations, spec 2.6-2.9 and 4.1-4.2) as pure functions: defaults, validation,
/// and the state/version/package_state transitions of create and update. No I/O, no clock, no Orleans.
/// </summary>
internal static class AppRules
{
    public const int DefaultMemory = 1024;
    public const int DefaultDiskQuota = 1024;
    public const int MaxDiskQuota = 2048;
    public const int MaxHealthCheckTimeout = 180;

    /// <summary>CF's column sizes: names as org and space names, free text (command, buildpack) as CF's text limits.</summary>
    public const int MaxNameLength = 255;
    public const int MaxCommandLength = 4096;
    public const int MaxBuildpackLength = 4096;
    public const string BitsNotUploaded = "The app package is invalid: bits have not been uploaded";

    private static readonly string[] HealthCheckTypes = ["port", "process", "http", "none"];
    public const int MaxHealthCheckEndpointLength = 255;

    public static AppSnapshot Create(Guid guid, AppFields fields, DateTimeOffset now, Guid version, AppLimits? limits = null)
    {
        var diego = fields.Diego ?? false;
        var app = new AppSnapshot
        {
            Guid = guid,
            Name = fields.Name ?? "",
            SpaceGuid = fields.SpaceGuid ?? Guid.Empty,
            StackGuid = fields.StackGuid ?? Guid.Empty,
            Production = fields.Production ?? false,
            Buildpack = fields.Buildpack,
            EnvironmentJson = fields.EnvironmentJson ?? "{}",
            Memory = fields.Memory ?? DefaultMemory,
            Instances = fields.Instances ?? 1,
            DiskQuota = fields.DiskQuota ?? DefaultDiskQuota,
            State = AppState.Stopped,
            Version = version,
            Command = fields.Command,
            Console = fields.Console ?? false,
            Debug = fields.Debug,
            PackageState = AppPackageState.Pending,
            HealthCheckType = fields.HealthCheckType ?? "port",
            HealthCheckTimeout = fields.HealthCheckTimeout,
            HealthCheckHttpEndpoint = fields.HealthCheckHttpEndpoint,
            Diego = diego,
            DockerImage = DockerImage(fields.DockerImage),
            EnableSsh = fields.EnableSsh ?? true,
            Ports = fields.Ports ?? (diego ? [8080] : null),
            CreatedAt = now,
        };
        Validate(app, limits ?? AppLimits.Default);
        return fields.State == AppState.Started
            ? throw new CloudControllerException(CfErrorCode.AppPackageInvalid, BitsNotUploaded)
            : app;
    }

    public static AppSnapshot Update(AppSnapshot current, AppFields fields, DateTimeOffset now, Guid newVersion, AppLimits? limits = null)
    {
        bool Cleared(AppSetting setting) => fields.Cleared.Contains(setting);
        var next = current with
        {
            Name = fields.Name ?? current.Name,
            SpaceGuid = fields.SpaceGuid ?? current.SpaceGuid,
            StackGuid = fields.StackGuid ?? current.StackGuid,
            Production = fields.Production ?? current.Production,
            Buildpack = fields.Buildpack ?? (Cleared(AppSetting.Buildpack) ? null : current.Buildpack),
            EnvironmentJson = fields.EnvironmentJson ?? current.EnvironmentJson,
            Memory = fields.Memory ?? current.Memory,
            Instances = fields.Instances ?? current.Instances,
            DiskQuota = fields.DiskQuota ?? current.DiskQuota,
            State = fields.State ?? current.State,
            Command = fields.Command ?? (Cleared(AppSetting.Command) ? null : current.Command),
            Console = fields.Console ?? current.Console,
            Debug = fields.Debug ?? (Cleared(AppSetting.Debug) ? null : current.Debug),
            HealthCheckType = fields.HealthCheckType ?? current.HealthCheckType,
            HealthCheckTimeout = fields.HealthCheckTimeout ?? (Cleared(AppSetting.HealthCheckTimeout) ? null : current.HealthCheckTimeout),
            HealthCheckHttpEndpoint = fields.HealthCheckHttpEndpoint
                ?? (Cleared(AppSetting.HealthCheckHttpEndpoint) ? null : current.HealthCheckHttpEndpoint),
            Diego = fields.Diego ?? current.Diego,
            DockerImage = fields.DockerImage is not null ? DockerImage(fields.DockerImage) : Cleared(AppSetting.DockerImage) ? null : current.DockerImage,
            EnableSsh = fields.EnableSsh ?? current.EnableSsh,
            Ports = fields.Ports ?? (Cleared(AppSetting.Ports) ? null : current.Ports),
            UpdatedAt = now,
        };
        Validate(next, limits ?? AppLimits.Default);

        if (next.State == AppState.Started && next.PackageHash is null && next.DockerImage is null && next.CurrentDropletGuid is null)
        {
            throw new CloudControllerException(CfErrorCode.AppPackageInvalid, BitsNotUploaded);
        }

        // Changing how the app is built invalidates its droplet: it must be staged again.
        if (next.Buildpack != current.Buildpack || next.StackGuid != current.StackGuid || next.DockerImage != current.DockerImage)
        {
            next = MarkForStaging(next);
        }

        // CF regenerates version when a started app is saved with a new state or new run settings.
        var runSettingsChanged = next.State != current.State || next.Memory != current.Memory
            || next.HealthCheckType != current.HealthCheckType || next.EnableSsh != current.EnableSsh || next.Ports != current.Ports;
        return next.State == AppState.Started && runSettingsChanged ? next with { Version = newVersion } : next;
    }

    /// <summary>New bits: a different hash marks the app for staging (spec 4.2); the same hash changes nothing but the time.</summary>
    public static AppSnapshot SetPackage(AppSnapshot app, PackageInfo package, DateTimeOffset now)
    {
        var next = app with { Package = package, PackageHash = package.Sha1, PackageUpdatedAt = now, UpdatedAt = now };
        return package.Sha1 == app.PackageHash ? next : MarkForStaging(next);
    }

    /// <summary>Whether an update that starts the app must stage it first (bits present, not staged).</summary>
    public static bool NeedsStaging(AppSnapshot before, AppSnapshot after) =>
        after.State == AppState.Started && after.PackageState != AppPackageState.Staged && after.Package is not null
        && (before.State != AppState.Started || before.PackageState == AppPackageState.Failed);

    /// <summary>Staging begins: PENDING, failure cleared, the staging task (droplet) recorded.</summary>
    public static AppSnapshot BeginStaging(AppSnapshot app, Guid dropletGuid) =>
        MarkForStaging(app) with { StagingTaskId = dropletGuid.ToString("D") };

    /// <summary>
    /// Restage (spec 2.15, 2016): refused without bits, and while a staging is in flight (CF refuses every PENDING
    /// app; one whose staging never started or was lost may restage, so no app is stuck in PENDING); then STARTED
    /// with a new version, PENDING.
    /// </summary>
    public static AppSnapshot Restage(AppSnapshot app, DateTimeOffset now, Guid version, Guid dropletGuid, bool stagingInFlight)
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

    /// <summary>A staging outcome: applied only when it belongs to the staging in progress.</summary>
    public static AppSnapshot CompleteStaging(AppSnapshot app, DropletSnapshot droplet, DateTimeOffset now, Func<Guid>? newGuid = null)
    {
        if (app.StagingTaskId != droplet.Guid.ToString("D") || app.PackageState != AppPackageState.Pending)
        {
            return app;
        }

        return droplet.State == DropletState.Staged
            ? SyncProcesses(app with
            {
                PackageState = AppPackageState.Staged,
                DetectedBuildpack = droplet.Buildpack,
                DetectedStartCommand = droplet.StartCommand ?? "",
                CurrentDropletGuid = droplet.Guid,
                UpdatedAt = now,
            }, droplet, now, newGuid ?? Guid.NewGuid)
            : app with
            {
                PackageState = AppPackageState.Failed,
                StagingFailedReason = droplet.FailureReason,
                StagingFailedDescription = FailureDescription(droplet.FailureReason),
                // Diego stops an app whose staging failed; the DEA backend leaves it started.
                State = app.Diego ? AppState.Stopped : app.State,
                UpdatedAt = now,
            };
    }

    /// <summary>v3 <c>current_droplet</c>: only a STOPPED app, only a STAGED droplet of its own; the v2 view becomes STAGED.</summary>
    public static AppSnapshot SetCurrentDroplet(AppSnapshot app, DropletSnapshot droplet, DateTimeOffset now, Func<Guid>? newGuid = null)
    {
        if (app.State != AppState.Stopped)
        {
            throw CloudControllerException.Unprocessable("Stop the app before changing droplet");
        }

        if (droplet.AppGuid != app.Guid)
        {
            throw CloudControllerException.DropletNotFound();
        }

        return droplet.State == DropletState.Staged
            ? SyncProcesses(app with
            {
                CurrentDropletGuid = droplet.Guid,
                PackageState = AppPackageState.Staged,
                DetectedBuildpack = droplet.Buildpack,
                DetectedStartCommand = droplet.StartCommand ?? "",
                StagingFailedReason = null,
                StagingFailedDescription = null,
                UpdatedAt = now,
            }, droplet, now, newGuid ?? Guid.NewGuid)
            : throw CloudControllerException.Unprocessable("Droplet must be STAGED to be the current droplet");
    }

    /// <summary>
    /// The app's processes follow its current droplet's Procfile: a new type starts with 0 instances, the default
    /// memory, the web process's disk and a <c>process</c> health check (as CF creates them); a kept type keeps its
    /// settings and takes the new command; a type the droplet no longer declares is gone.
    /// </summary>
    public static AppSnapshot SyncProcesses(AppSnapshot app, DropletSnapshot droplet, DateTimeOffset now, Func<Guid> newGuid)
    {
        var others = droplet.Types
            .Where(t => t.Key != AppProcess.Web)
            .OrderBy(t => t.Key, StringComparer.Ordinal)
            .Select(t => app.Others().FirstOrDefault(p => p.Type == t.Key) is { } kept
                ? kept.DetectedCommand == t.Value ? kept : kept with { DetectedCommand = t.Value, UpdatedAt = now }
                : new AppProcess
                {
                    Guid = newGuid(),
                    Type = t.Key,
                    Instances = 0,
                    Memory = DefaultMemory,
                    DiskQuota = app.DiskQuota,
                    DetectedCommand = t.Value,
                    HealthCheckType = "process",
                    CreatedAt = now,
                })
            .ToImmutableArray();
        return app with { OtherProcesses = others.IsEmpty ? null : others };
    }

    /// <summary>
    /// A change to a non-web process (web is the app's own fields: <see cref="Update"/>), validated as the app's
    /// settings are. Raises ResourceNotFound for a type the app does not have.
    /// </summary>
    public static AppSnapshot UpdateProcess(AppSnapshot app, string type, ProcessFields fields, DateTimeOffset now, AppLimits? limits = null)
    {
        var current = app.Others().FirstOrDefault(p => p.Type == type) ?? throw CloudControllerException.ProcessNotFound();
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

        // The process is checked with the app's rules, as if it were the app's web process.
        Validate(app with
        {
            Instances = next.Instances,
            Memory = next.Memory,
            DiskQuota = next.DiskQuota,
            Command = next.Command,
            HealthCheckType = next.HealthCheckType,
            HealthCheckTimeout = next.HealthCheckTimeout,
            HealthCheckHttpEndpoint = next.HealthCheckHttpEndpoint,
        }, limits ?? AppLimits.Default);
        return app with { OtherProcesses = app.Others().Replace(current, next), UpdatedAt = now };
    }

    private static string FailureDescription(string? reason) => reason switch
    {
        StagingFailureReasons.NoAppDetectedError => "An app was not successfully detected by any available buildpack",
        _ => "Staging error: staging failed",
    };

    /// <summary>package_state back to PENDING with the failure fields cleared (new bits, buildpack or stack).</summary>
    public static AppSnapshot MarkForStaging(AppSnapshot app) => app with
    {
        PackageState = AppPackageState.Pending,
        StagingFailedReason = null,
        StagingFailedDescription = null,
    };

    private static void Validate(AppSnapshot app, AppLimits limits)
    {
        if (app.Name.Length > MaxNameLength)
        {
            throw CloudControllerException.AppInvalid($"name is too long (maximum is {MaxNameLength} characters)");
        }

        if (app.Name.Trim().Length == 0 || app.Name.Any(char.IsControl))
        {
            throw CloudControllerException.AppInvalid("name can't be blank and must be printable");
        }

        if (app.Command?.Length > MaxCommandLength)
        {
            throw CloudControllerException.AppInvalid($"command is too long (maximum is {MaxCommandLength} characters)");
        }

        if (app.Buildpack?.Length > MaxBuildpackLength)
        {
            throw CloudControllerException.AppInvalid($"buildpack is too long (maximum is {MaxBuildpackLength} characters)");
        }

        if (app.Memory <= 0 || app.Memory > limits.MaxMemory)
        {
            throw new CloudControllerException(CfErrorCode.AppMemoryInvalid, "You have specified an invalid amount of memory for your application.");
        }

        if (app.Instances < 0)
        {
            throw CloudControllerException.AppInvalid("Number of instances less than 0");
        }

        if (app.Instances > limits.MaxInstances)
        {
            throw CloudControllerException.AppInvalid($"instances must be at most {limits.MaxInstances} (the platform's limit per app)");
        }

        if (app.DiskQuota < 1 || app.DiskQuota > MaxDiskQuota)
        {
            throw CloudControllerException.AppInvalid(app.DiskQuota < 1
                ? "disk_quota must be greater than 0"
                : $"disk_quota too much disk requested (must be less than {MaxDiskQuota})");
        }

        if (!HealthCheckTypes.Contains(app.HealthCheckType))
        {
            throw CloudControllerException.AppInvalid("health_check_type must be one of port, process, http, none");
        }

        if (app.HealthCheckHttpEndpoint is { } endpoint
            && (!endpoint.StartsWith('/') || endpoint.Length > MaxHealthCheckEndpointLength || endpoint.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))))
        {
            throw CloudControllerException.AppInvalid("health_check_http_endpoint must be a valid URI path");
        }

        if (app.HealthCheckTimeout is < 1 or > MaxHealthCheckTimeout)
        {
            throw CloudControllerException.AppInvalid($"health_check_timeout must be between 1 and {MaxHealthCheckTimeout}");
        }

        ValidateEnvironment(app.EnvironmentJson);
    }

    private static void ValidateEnvironment(string environmentJson)
    {
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
