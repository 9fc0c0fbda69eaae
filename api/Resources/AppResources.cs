using System.Text.Json;
using CloudController.GrainInterfaces.Apps;

namespace CloudController.Api.Resources;

/// <summary>The v2 app entity: every field of app.rb's export list, in its order, then the relation URLs.</summary>
internal sealed record AppEntity(
    string Name,
    bool Production,
    Guid SpaceGuid,
    Guid StackGuid,
    string? Buildpack,
    string? DetectedBuildpack,
    JsonElement EnvironmentJson,
    int Memory,
    int Instances,
    int DiskQuota,
    string State,
    Guid Version,
    string? Command,
    bool Console,
    string? Debug,
    string? StagingTaskId,
    string PackageState,
    string HealthCheckType,
    int? HealthCheckTimeout,
    string? HealthCheckHttpEndpoint,
    string? StagingFailedReason,
    string? StagingFailedDescription,
    bool Diego,
    string? DockerImage,
    DateTimeOffset? PackageUpdatedAt,
    string DetectedStartCommand,
    bool EnableSsh,
    IReadOnlyDictionary<string, string> DockerCredentialsJson,
    IReadOnlyList<int>? Ports,
    string SpaceUrl,
    string StackUrl,
    string RoutesUrl,
    string EventsUrl,
    string ServiceBindingsUrl,
    string RouteMappingsUrl)
{
    /// <summary>Docker credentials are never shown, as in CF.</summary>
    public static readonly IReadOnlyDictionary<string, string> Redacted =
        new Dictionary<string, string> { ["redacted_message"] = "[PRIVATE DATA HIDDEN]" };

    /// <summary>The app; its <c>environment_json</c> redacted as CF does for callers who may not see it.</summary>
    public static V2Resource<AppEntity> Resource(AppSnapshot a, bool seesEnvironment = true)
    {
        var self = $"/v2/apps/{a.Guid}";
        return V2Resource.Of("apps", a.Guid, a.CreatedAt, a.UpdatedAt, new AppEntity(
            a.Name, a.Production, a.SpaceGuid, a.StackGuid, a.Buildpack, a.DetectedBuildpack, seesEnvironment ? Environment(a) : RedactedElement,
            a.Memory, a.Instances, a.DiskQuota, Upper(a.State), a.Version, a.Command, a.Console, a.Debug, a.StagingTaskId,
            Upper(a.PackageState), a.HealthCheckType, a.HealthCheckTimeout, a.HealthCheckHttpEndpoint, a.StagingFailedReason, a.StagingFailedDescription,
            a.Diego, a.DockerImage, a.PackageUpdatedAt, a.DetectedStartCommand, a.EnableSsh, Redacted,
            a.Ports is { } ports ? [.. ports] : null,
            $"/v2/spaces/{a.SpaceGuid}", $"/v2/stacks/{a.StackGuid}", $"{self}/routes", $"{self}/events",
            $"{self}/service_bindings", $"{self}/route_mappings"));
    }

    /// <summary>What a caller who may not see an app's environment gets in its place.</summary>
    public static readonly JsonElement RedactedElement = JsonSerializer.SerializeToElement(Redacted);

    public static JsonElement Environment(AppSnapshot a)
    {
        using var document = JsonDocument.Parse(a.EnvironmentJson);
        return document.RootElement.Clone();
    }

    public static string Upper<TEnum>(TEnum value)
        where TEnum : struct, Enum =>
        JsonNamingPolicy.SnakeCaseUpper.ConvertName(value.ToString());
}
