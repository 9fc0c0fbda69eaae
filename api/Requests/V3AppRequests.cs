using System.Text.Json;
using System.Text.Json.Serialization;
using CloudController.Api.Json;
using CloudController.GrainInterfaces.Errors;

namespace CloudController.Api.Requests;

/// <summary>
/// A v3 app create or update body (<c>POST /v3/apps</c>, <c>PATCH /v3/apps/:guid</c>). Unknown fields are refused
/// (422), as v3 does; <c>relationships</c> must be exactly <c>{"space": {"guid": "..."}}</c> (create only).
/// </summary>
internal sealed record V3AppRequest(
    Field<string?> Name,
    V3AppRelationships? Relationships,
    Field<JsonElement?> EnvironmentVariables,
    Field<V3Lifecycle?> Lifecycle) : IRequestBody
{
    private static readonly string[] CreateFields = ["name", "relationships", "environment_variables", "lifecycle", "metadata"];

    public static IReadOnlyCollection<string>? AllowedFields => CreateFields;

    public static Exception? ShapeError(string field) => field switch
    {
        "relationships" => RelationshipsInvalid(),
        "lifecycle" => LifecycleTypeInvalid(),
        "environment_variables" => CloudControllerException.Unprocessable("Environment variables must be a hash"),
        _ => null,
    };

    public void Validate(JsonFieldErrors errors)
    {
        if (Name is { IsSet: true, Value: null })
        {
            throw errors.Invalid("name", "must be a string");
        }
    }

    /// <summary>The create's name and space; raises v3's errors for what is missing.</summary>
    public (string Name, Guid Space) RequireCreateFields(JsonFieldErrors errors)
    {
        var name = RequestBody.Required(Name.Value, "name", errors);
        if ((Relationships?.Space?.Data?.Guid ?? Relationships?.Space?.Guid) is not { } text)
        {
            throw RelationshipsInvalid();
        }

        return (name, Endpoints.RouteGuid.TryParse(text, out var space)
            ? space
            : throw new CloudControllerException(CfErrorCode.ResourceNotFound, "Space not found"));
    }

    /// <summary>An update may not name a space.</summary>
    public void RefuseRelationships(JsonFieldErrors errors)
    {
        if (Relationships is not null)
        {
            throw errors.Invalid(null, "Unknown field(s): 'relationships'");
        }
    }

    /// <summary>environment_variables: an object whose keys do not start with CF_ or VCAP_ and are not PORT.</summary>
    public string? Environment()
    {
        if (EnvironmentVariables.Value is not { } env)
        {
            return null;
        }

        if (env.ValueKind != JsonValueKind.Object)
        {
            throw CloudControllerException.Unprocessable("Environment variables must be a hash");
        }

        foreach (var key in env.EnumerateObject().Select(p => p.Name))
        {
            if (key.StartsWith("CF_", StringComparison.OrdinalIgnoreCase) || key.StartsWith("VCAP_", StringComparison.OrdinalIgnoreCase))
            {
                throw CloudControllerException.Unprocessable("Environment variables cannot start with CF_ or VCAP_");
            }

            if (key.Equals("PORT", StringComparison.OrdinalIgnoreCase))
            {
                throw CloudControllerException.Unprocessable("Environment variables cannot set PORT");
            }
        }

        return env.GetRawText();
    }

    public static CloudControllerException LifecycleTypeInvalid() =>
        CloudControllerException.Unprocessable("Lifecycle type must be one of 'buildpack, docker'");

    private static CloudControllerException RelationshipsInvalid() =>
        CloudControllerException.Unprocessable("Relationships must be {\"space\": {\"data\": {\"guid\": \"<space guid>\"}}}");
}

/// <summary><c>relationships</c> of a v3 app create: the space, and nothing else.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record V3AppRelationships(V3SpaceRelationship? Space);

/// <summary>The space: <c>{"data": {"guid": ...}}</c> (today's v3), or <c>{"guid": ...}</c> (the 2016 shape).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record V3SpaceRelationship(string? Guid, V3GuidData? Data);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record V3GuidData(string? Guid);

/// <summary>A v3 <c>lifecycle</c>: its type (buildpack or docker) and its data, bound by type when used.</summary>
internal sealed record V3Lifecycle(string? Type, JsonElement? Data);

/// <summary>The data of a buildpack lifecycle.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed record V3BuildpackLifecycleData(string? Buildpack, string? Stack, IReadOnlyList<string?>? Buildpacks);
