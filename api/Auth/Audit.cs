using System.Text.Json;
using System.Text.Json.Nodes;
using CloudController.GrainInterfaces.Events;

namespace CloudController.Api.Auth;

/// <summary>What an audit event is about: CF's <c>actee</c>, <c>actee_type</c>, <c>actee_name</c>, and where it lives.</summary>
internal sealed record AuditActee(Guid Guid, string Type, string Name, Guid? Space, Guid? Organization);

/// <summary>
/// Records CF audit events (<c>audit.app.create</c>, ...) once a change is stored, with the caller as actor and the
/// request's fields as <c>metadata.request</c>. Secrets never reach the trail: <c>environment_json</c> is replaced as
/// CF does, and credential-like fields are dropped.
/// </summary>
internal static class Audit
{
    public const string Hidden = "[PRIVATE DATA HIDDEN]";

    private static readonly HashSet<string> Secret = new(StringComparer.OrdinalIgnoreCase)
    {
        "environment_json", "docker_credentials", "docker_credentials_json", "password", "credentials", "var",
    };

    public static Task AuditAsync(this HttpContext http, IGrainFactory grains, string type, AuditActee actee, JsonNode? request = null,
        JsonObject? extra = null)
    {
        var caller = http.CfUser();
        var metadata = new JsonObject();
        if (request is JsonObject fields)
        {
            metadata["request"] = Censored(fields);
        }

        foreach (var (key, value) in extra ?? [])
        {
            metadata[key] = value?.DeepClone();
        }

        var actorIsUser = caller is { UserName: not null };
        return grains.GetGrain<IAuditGrain>(0).RecordAsync(new AuditEvent(
            Guid.NewGuid(), type,
            caller?.UserId ?? "", actorIsUser ? "user" : "system", caller?.UserName ?? caller?.ClientId ?? "",
            actee.Guid.ToString("D"), actee.Type, actee.Name, DateTimeOffset.UtcNow,
            metadata.ToJsonString(), actee.Space, actee.Organization));
    }

    /// <summary>An app as an event's actee, with its space's organization.</summary>
    public static async Task<AuditActee> AppActeeAsync(IGrainFactory grains, GrainInterfaces.Apps.AppSnapshot app) =>
        new(app.Guid, "app", app.Name, app.SpaceGuid, await grains.GetGrain<GrainInterfaces.Spaces.ISpaceGrain>(app.SpaceGuid).OrganizationAsync());

    /// <summary>Records an app event.</summary>
    public static async Task AuditAppAsync(this HttpContext http, IGrainFactory grains, string type, GrainInterfaces.Apps.AppSnapshot app,
        JsonNode? request = null, JsonObject? extra = null) =>
        await http.AuditAsync(grains, type, await AppActeeAsync(grains, app), request, extra);

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
