using System.Text.Json;
using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Bits;
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
    public const string BitsNotUploaded = "The app package is invalid: bits have not been uploaded";

    private static readonly string[] HealthCheckTypes = ["port", "process", "none"];

    public static AppSnapshot Create(Guid guid, AppFields fields, DateTimeOffset now, Guid version)
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
            Diego = diego,
            DockerImage = DockerImage(fields.DockerImage),
            EnableSsh = fields.EnableSsh ?? true,
            Ports = fields.Ports ?? (diego ? [8080] : null),
            CreatedAt = now,
        };
        Validate(app, fields.State);
        return ParseState(fields.State) == AppState.Started
            ? throw new CloudControllerException(CfErrorCode.AppPackageInvalid, BitsNotUploaded)
            : app;
    }

    public static AppSnapshot Update(AppSnapshot current, AppFields fields, DateTimeOffset now, Guid newVersion)
    {
        bool Named(string field) => fields.Set.Contains(field);
        var next = current with
        {
            Name = fields.Name ?? current.Name,
            SpaceGuid = fields.SpaceGuid ?? current.SpaceGuid,
            StackGuid = fields.StackGuid ?? current.StackGuid,
            Production = fields.Production ?? current.Production,
            Buildpack = Named("buildpack") ? fields.Buildpack : current.Buildpack,
            EnvironmentJson = fields.EnvironmentJson ?? current.EnvironmentJson,
            Memory = fields.Memory ?? current.Memory,
            Instances = fields.Instances ?? current.Instances,
            DiskQuota = fields.DiskQuota ?? current.DiskQuota,
            State = fields.State is null ? current.State : ParseState(fields.State),
            Command = Named("command") ? fields.Command : current.Command,
            Console = fields.Console ?? current.Console,
            Debug = Named("debug") ? fields.Debug : current.Debug,
            HealthCheckType = fields.HealthCheckType ?? current.HealthCheckType,
            HealthCheckTimeout = Named("health_check_timeout") ? fields.HealthCheckTimeout : current.HealthCheckTimeout,
            Diego = fields.Diego ?? current.Diego,
            DockerImage = Named("docker_image") ? DockerImage(fields.DockerImage) : current.DockerImage,
            EnableSsh = fields.EnableSsh ?? current.EnableSsh,
            Ports = Named("ports") ? fields.Ports : current.Ports,
            UpdatedAt = now,
        };
        Validate(next, fields.State);

        if (next.State == AppState.Started && next.PackageHash is null && next.DockerImage is null)
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

    /// <summary>package_state back to PENDING with the failure fields cleared (new bits, buildpack or stack).</summary>
    public static AppSnapshot MarkForStaging(AppSnapshot app) => app with
    {
        PackageState = AppPackageState.Pending,
        StagingFailedReason = null,
        StagingFailedDescription = null,
    };

    public static AppState ParseState(string? state) => state switch
    {
        null or "STOPPED" => AppState.Stopped,
        "STARTED" => AppState.Started,
        _ => throw CloudControllerException.AppInvalid("Invalid app state provided"),
    };

    private static void Validate(AppSnapshot app, string? requestedState)
    {
        ParseState(requestedState);
        if (app.Name.Trim().Length == 0 || app.Name.Any(char.IsControl))
        {
            throw CloudControllerException.AppInvalid("name can't be blank and must be printable");
        }

        if (app.Memory <= 0)
        {
            throw new CloudControllerException(CfErrorCode.AppMemoryInvalid, "You have specified an invalid amount of memory for your application.");
        }

        if (app.Instances < 0)
        {
            throw CloudControllerException.AppInvalid("Number of instances less than 0");
        }

        if (app.DiskQuota < 1 || app.DiskQuota > MaxDiskQuota)
        {
            throw CloudControllerException.AppInvalid(app.DiskQuota < 1
                ? "disk_quota must be greater than 0"
                : $"disk_quota too much disk requested (must be less than {MaxDiskQuota})");
        }

        if (!HealthCheckTypes.Contains(app.HealthCheckType))
        {
            throw CloudControllerException.AppInvalid("health_check_type must be one of port, process, none");
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
