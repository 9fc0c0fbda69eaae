namespace CloudController.GrainInterfaces.Events;

/// <summary>
/// Who is changing something and what they asked, carried with the request into the grains (Orleans' request
/// context), so a grain records its audit event as part of the write that makes the change (an outbox stored with
/// the state) instead of the front-end recording it afterwards. The front-end sets it before the grain call, from
/// the caller's token and the request body (secrets already replaced).
/// </summary>
public static class AuditContext
{
    private const string ActorKey = "cc-audit-actor";
    private const string RequestKey = "cc-audit-request";

    /// <summary>The longest request body an event keeps (longer ones are replaced by a note).</summary>
    public const int MaxRequestJson = 64 * 1024;

    /// <summary>Sets the actor and the request for the grain calls that follow in this async flow.</summary>
    public static void Set(AuditActor actor, string? requestJson)
    {
        RequestContext.Set(ActorKey, actor.Encode());
        if (requestJson is null)
        {
            RequestContext.Remove(RequestKey);
        }
        else
        {
            RequestContext.Set(RequestKey, requestJson.Length <= MaxRequestJson ? requestJson : """{"note":"request too large to keep"}""");
        }
    }

    /// <summary>The actor of the current call; the system when nobody set one (the runtime, convergence, jobs).</summary>
    public static AuditActor Actor => RequestContext.Get(ActorKey) is string encoded ? AuditActor.Decode(encoded) : AuditActor.System;

    /// <summary>The request body as the trail keeps it (a JSON object), or null.</summary>
    public static string? RequestJson => RequestContext.Get(RequestKey) as string;
}

/// <summary>CF's event actor: a user (guid, <c>user</c>, user name) or a client (id, <c>system</c>, client id).</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Events.AuditActor")]
public sealed record AuditActor([property: Id(0)] string Guid, [property: Id(1)] string Type, [property: Id(2)] string Name)
{
    public static AuditActor System { get; } = new("", "system", "");

    internal string Encode() => $"{Guid}\n{Type}\n{Name}";

    internal static AuditActor Decode(string encoded) =>
        encoded.Split('\n', 3) is [var guid, var type, var name] ? new(guid, type, name) : System;
}
