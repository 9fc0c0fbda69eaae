using System.Text.Json.Nodes;

namespace CloudController.GrainInterfaces.Events;

/// <summary>Builds CF audit events about a resource, with the actor and request of the current call (<see cref="AuditContext"/>).</summary>
public static class AuditEvents
{
    /// <summary>
    /// An event of <paramref name="type"/> about <paramref name="actee"/>; its metadata holds the request body of the
    /// current call under <c>request</c> (when <paramref name="withRequest"/>), then <paramref name="extra"/>.
    /// </summary>
    public static AuditEvent Of(
        string type, AuditActee actee, DateTimeOffset at, bool withRequest = true, JsonObject? extra = null)
    {
        var metadata = new JsonObject();
        if (withRequest && AuditContext.RequestJson is { } request && JsonNode.Parse(request) is JsonObject body)
        {
            metadata["request"] = body;
        }

        foreach (var (key, value) in extra ?? [])
        {
            metadata[key] = value?.DeepClone();
        }

        var actor = AuditContext.Actor;
        return new AuditEvent(Guid.NewGuid(), type, actor.Guid, actor.Type, actor.Name,
            actee.Guid.ToString("D"), actee.Type, actee.Name, at, metadata.ToJsonString(), actee.Space, actee.Organization);
    }
}

/// <summary>What an audit event is about: CF's <c>actee</c>, <c>actee_type</c>, <c>actee_name</c>, and where it lives.</summary>
public sealed record AuditActee(Guid Guid, string Type, string Name, Guid? Space, Guid? Organization);
