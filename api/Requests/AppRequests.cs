using System.Collections.Immutable;
using System.Text.Json;
using CloudController.Api.Json;
using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Errors;

namespace CloudController.Api.Requests;

/// <summary>Reads a v2 app create/update body into <see cref="AppFields"/>; type errors are MessageParseError as in CF.</summary>
internal static class AppRequests
{
    private static readonly string[] Known =
    [
        "name", "space_guid", "stack_guid", "production", "buildpack", "environment_json", "memory", "instances",
        "disk_quota", "state", "command", "console", "debug", "health_check_type", "health_check_timeout", "diego",
        "docker_image", "docker_credentials_json", "enable_ssh", "ports", "route_guids", "service_binding_guids",
    ];

    public static AppFields Read(JsonFields body)
    {
        var spaceGuid = body.OptionalGuid("space_guid", InvalidRelation("Space"));
        return new AppFields
        {
            Name = body.OptionalString("name")?.Trim(),
            SpaceGuid = spaceGuid,
            StackGuid = body.OptionalGuid("stack_guid", InvalidRelation("Stack")),
            Production = body.OptionalBool("production"),
            Buildpack = EmptyAsNull(body.OptionalString("buildpack")),
            EnvironmentJson = Environment(body),
            Memory = body.OptionalInt("memory"),
            Instances = body.OptionalInt("instances"),
            DiskQuota = body.OptionalInt("disk_quota"),
            State = body.OptionalString("state"),
            Command = EmptyAsNull(body.OptionalString("command")),
            Console = body.OptionalBool("console"),
            Debug = body.OptionalString("debug"),
            HealthCheckType = body.OptionalString("health_check_type"),
            HealthCheckTimeout = body.OptionalInt("health_check_timeout"),
            Diego = body.OptionalBool("diego"),
            DockerImage = EmptyAsNull(body.OptionalString("docker_image")),
            EnableSsh = body.OptionalBool("enable_ssh"),
            Ports = Ports(body),
            Set = [.. body.Root.EnumerateObject().Select(p => p.Name).Where(Known.Contains)],
        };
    }

    public static Func<string, Exception> InvalidRelation(string model) => guid =>
        new CloudControllerException(CfErrorCode.InvalidRelation, $"Could not find VCAP::CloudController::{model} with guid: {guid}");

    private static string? EmptyAsNull(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static string? Environment(JsonFields body)
    {
        if (!body.Root.TryGetProperty("environment_json", out var env) || env.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return env.ValueKind == JsonValueKind.Object
            ? env.GetRawText()
            : throw CloudControllerException.MessageParse("Field: environment_json, Error: must be a hash");
    }

    private static ImmutableArray<int>? Ports(JsonFields body)
    {
        if (!body.Root.TryGetProperty("ports", out var ports) || ports.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (ports.ValueKind != JsonValueKind.Array || ports.EnumerateArray().Any(p => p.ValueKind != JsonValueKind.Number || !p.TryGetInt32(out _)))
        {
            throw CloudControllerException.MessageParse("Field: ports, Error: must be an array of integers");
        }

        var values = ports.EnumerateArray().Select(p => p.GetInt32()).ToImmutableArray();
        return values.Any(p => p is < 1024 or > 65535)
            ? throw CloudControllerException.AppInvalid("Ports must be in the 1024-65535 range.")
            : values;
    }
}
