using System.Text.Json;
using System.Text.Json.Nodes;
using CloudController.GrainInterfaces.Events;

namespace CloudController.Api.Auth;

/// <summary>
/// Hands the audit trail what only the front-end knows: the caller (the actor) and the request's fields. Both ride
/// with the grain calls that follow (<see cref="AuditContext"/>), and the grain records the event as part of the write
/// that makes the change. Secrets never reach the trail: <c>environment_json</c> and credential-like fields are
/// replaced by CF's marker.
/// </summary>
internal static class Audit
{
    public const string Hidden = "[PRIVATE DATA HIDDEN]";

    private static readonly HashSet<string> Secret = new(StringComparer.OrdinalIgnoreCase)
    {
        "environment_json", "environment_variables", "docker_credentials", "docker_credentials_json", "password", "credentials", "var", "env",
    };

    /// <summary>Carries the caller, and <paramref name="request"/> (secrets replaced) when given, into the grain calls that follow.</summary>
    public static void Carry(this HttpContext http, JsonNode? request = null)
    {
        var caller = http.CfUser();
        var actor = caller is null
            ? AuditActor.System
            : new AuditActor(caller.UserId, caller.UserName is not null ? "user" : "system", caller.UserName ?? caller.ClientId);
        AuditContext.Set(actor, request is JsonObject fields ? Censored(fields).ToJsonString() : null);
    }

    /// <summary>Carries the caller and the body this request's typed record was bound from.</summary>
    public static void CarryRequest(this HttpContext http) => http.Carry(Request(http));

    /// <summary>A request body as the trail keeps it: secrets replaced by CF's marker.</summary>
    public static JsonObject Censored(JsonObject fields)
    {
        var copy = new JsonObject();
        foreach (var (key, value) in fields)
        {
            copy[key] = Secret.Contains(key) ? JsonValue.Create(Hidden) : value?.DeepClone();
        }

        return copy;
    }

    /// <summary>The body this request's typed record was bound from, as the trail keeps it.</summary>
    public static JsonNode? Request(HttpContext http) =>
        http.Features.Get<Json.RequestBodyFeature>() is { } body ? Node(body.Body) : null;

    /// <summary>A request body read as a <see cref="JsonElement"/>, as a node the trail can keep.</summary>
    public static JsonNode? Node(JsonElement element) => element.ValueKind == JsonValueKind.Object ? JsonObject.Create(element) : null;
}
