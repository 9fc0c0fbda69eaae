using System.Collections.Immutable;
using System.Text.Json;
using CloudController.Api.Json;
using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Errors;

namespace CloudController.Api.Requests;

/// <summary>
/// A v2 app create or update body (<c>POST /v2/apps</c>, <c>PUT /v2/apps/:guid</c>), bound as CF names its fields.
/// <see cref="ToFields"/> turns it into the app grain's command: guids parsed, the state an enum, the environment
/// checked to be an object, and explicit nulls (or empty text) as settings to clear. Fields CF accepts but this
/// server does not back (<c>route_guids</c>, <c>service_binding_guids</c>, <c>docker_credentials_json</c>) are read
/// and ignored, as CF ignores unknown ones.
/// </summary>
internal sealed record V2AppRequest(
    Field<string?> Name,
    Field<string?> SpaceGuid,
    Field<string?> StackGuid,
    Field<bool?> Production,
    Field<string?> Buildpack,
    Field<JsonElement?> EnvironmentJson,
    Field<int?> Memory,
    Field<int?> Instances,
    Field<int?> DiskQuota,
    Field<string?> State,
    Field<string?> Command,
    Field<bool?> Console,
    Field<string?> Debug,
    Field<string?> HealthCheckType,
    Field<int?> HealthCheckTimeout,
    Field<bool?> Diego,
    Field<string?> DockerImage,
    Field<JsonElement?> DockerCredentialsJson,
    Field<bool?> EnableSsh,
    Field<int[]?> Ports,
    Field<JsonElement?> RouteGuids,
    Field<JsonElement?> ServiceBindingGuids,
    Field<string?> HealthCheckHttpEndpoint) : IRequestBody
{
    public void Validate(JsonFieldErrors errors)
    {
        if (EnvironmentJson is { HasValue: true, Value.ValueKind: not JsonValueKind.Object })
        {
            throw errors.Invalid("environment_json", "must be a hash");
        }
    }

    /// <summary>A create's required fields: <c>name</c> and <c>space_guid</c>.</summary>
    public void RequireCreateFields(JsonFieldErrors errors)
    {
        RequestBody.Required(Name.Value, "name", errors);
        RequestBody.Required(SpaceGuid.Value, "space_guid", errors);
    }

    public AppFields ToFields()
    {
        ImmutableHashSet<AppSetting> cleared =
        [
            .. new (bool IsCleared, AppSetting Setting)[]
            {
                (Buildpack.IsCleared, AppSetting.Buildpack), (Command.IsCleared, AppSetting.Command),
                (Debug.IsSet && Debug.Value is null, AppSetting.Debug), (HealthCheckTimeout.IsCleared, AppSetting.HealthCheckTimeout),
                (DockerImage.IsCleared, AppSetting.DockerImage), (Ports.IsCleared, AppSetting.Ports),
                (HealthCheckHttpEndpoint.IsCleared, AppSetting.HealthCheckHttpEndpoint),
            }.Where(c => c.IsCleared).Select(c => c.Setting),
        ];
        return new AppFields
        {
            Name = Name.Value?.Trim(),
            SpaceGuid = Relation(SpaceGuid.Value, "Space"),
            StackGuid = Relation(StackGuid.Value, "Stack"),
            Production = Production.Value,
            Buildpack = NonEmpty(Buildpack.Value),
            EnvironmentJson = EnvironmentJson.Value?.GetRawText(),
            Memory = Memory.Value,
            Instances = Instances.Value,
            DiskQuota = DiskQuota.Value,
            State = State.Value switch
            {
                null => null,
                "STARTED" => AppState.Started,
                "STOPPED" => AppState.Stopped,
                _ => throw CloudControllerException.AppInvalid("Invalid app state provided"),
            },
            Command = NonEmpty(Command.Value),
            Console = Console.Value,
            Debug = Debug.Value,
            HealthCheckType = HealthCheckType.Value,
            HealthCheckTimeout = HealthCheckTimeout.Value,
            HealthCheckHttpEndpoint = NonEmpty(HealthCheckHttpEndpoint.Value),
            Diego = Diego.Value,
            DockerImage = NonEmpty(DockerImage.Value),
            EnableSsh = EnableSsh.Value,
            Ports = Ports.Value is { } ports ? ValidPorts(ports) : null,
            Cleared = cleared,
        };
    }

    private static Guid? Relation(string? text, string model) => text is null ? null
        : Endpoints.RouteGuid.TryParse(text, out var guid) ? guid
        : throw AppRequests.InvalidRelation(model)(text);

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static ImmutableArray<int> ValidPorts(int[] ports) => ports.Any(p => p is < 1024 or > 65535)
        ? throw CloudControllerException.AppInvalid("Ports must be in the 1024-65535 range.")
        : [.. ports];
}

internal static class AppRequests
{
    public static Func<string, Exception> InvalidRelation(string model) => guid =>
        new CloudControllerException(CfErrorCode.InvalidRelation, $"Could not find VCAP::CloudController::{model} with guid: {guid}");
}
