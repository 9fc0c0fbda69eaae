using System.Collections.Immutable;

namespace CloudController.GrainInterfaces.Events;

/// <summary>
/// The audit trail <c>GET /v2/events</c> and <c>/v3/audit_events</c> read (stateless; events live in a storage table,
/// each under its actee, its space or organization, and its day, newest first). Grains write it as part of their
/// changes (see <c>AuditTrail</c>).
/// </summary>
[Alias("CloudController.GrainInterfaces.Events.IAuditGrain")]
public interface IAuditGrain : IGrainWithIntegerKey
{
    /// <summary>One page of the events matching the query.</summary>
    [Alias("QueryAsync")]
    Task<EventPage> QueryAsync(EventQuery query);

    /// <summary>App usage events oldest first, after <paramref name="after"/> when given, at most <paramref name="limit"/>; the total counts those after.</summary>
    [Alias("UsageAsync")]
    Task<UsagePage> UsageAsync(Guid? after, int limit);

    /// <summary>One app usage event, or null.</summary>
    [Alias("UsageEventAsync")]
    Task<AuditEvent?> UsageEventAsync(Guid guid);

    /// <summary>
    /// CC's <c>destructively_purge_all_and_reseed</c>: deletes every app usage event, then writes a STARTED event for
    /// each app started now. Answers how many it reseeded.
    /// </summary>
    [Alias("PurgeAndReseedUsageAsync")]
    Task<int> PurgeAndReseedUsageAsync();
}

/// <summary>A page of app usage events (oldest first) and how many there are from the page's start on.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Events.UsagePage")]
public sealed record UsagePage([property: Id(0)] int TotalResults, [property: Id(1)] System.Collections.Immutable.ImmutableArray<AuditEvent> Events);

/// <summary>One audit event (CF's v2 event entity). <see cref="MetadataJson"/> is a JSON object, secrets already redacted.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Events.AuditEvent")]
public sealed record AuditEvent(
    [property: Id(0)] Guid Guid,
    [property: Id(1)] string Type,
    [property: Id(2)] string Actor,
    [property: Id(3)] string ActorType,
    [property: Id(4)] string ActorName,
    [property: Id(5)] string Actee,
    [property: Id(6)] string ActeeType,
    [property: Id(7)] string ActeeName,
    [property: Id(8)] DateTimeOffset Timestamp,
    [property: Id(9)] string MetadataJson,
    [property: Id(10)] Guid? SpaceGuid,
    [property: Id(11)] Guid? OrganizationGuid);

/// <summary>
/// What to list: the events of <see cref="Actees"/>, <see cref="Spaces"/> or <see cref="Organizations"/> (alternatives;
/// all three empty: every event), of the given types, within the timestamp bounds. A restricted caller passes what it
/// sees in <see cref="Visible"/>: an event is shown when its space, or for an event without a space its organization, is
/// among them.
/// </summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Events.EventQuery")]
public sealed record EventQuery(
    [property: Id(0)] ImmutableArray<string> Actees,
    [property: Id(1)] ImmutableArray<Guid> Spaces,
    [property: Id(2)] ImmutableArray<Guid> Organizations,
    [property: Id(3)] ImmutableArray<string> Types,
    [property: Id(4)] ImmutableArray<TimestampBound> Timestamps,
    [property: Id(5)] EventVisibility? Visible,
    [property: Id(6)] bool Descending,
    [property: Id(7)] int Page,
    [property: Id(8)] int PerPage);

/// <summary>A bound on the timestamp: <c>Operator</c> is one of <c>&lt; &gt; &lt;= &gt;=</c> or <c>:</c> (equal).</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Events.TimestampBound")]
public sealed record TimestampBound([property: Id(0)] string Operator, [property: Id(1)] DateTimeOffset Value)
{
    public bool Holds(DateTimeOffset t) => Operator switch
    {
        "<" => t < Value,
        ">" => t > Value,
        "<=" => t <= Value,
        ">=" => t >= Value,
        _ => t == Value,
    };
}

/// <summary>The spaces and organizations whose events a restricted caller may read.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Events.EventVisibility")]
public sealed record EventVisibility([property: Id(0)] ImmutableHashSet<Guid> Spaces, [property: Id(1)] ImmutableHashSet<Guid> Organizations)
{
    public bool Sees(AuditEvent e) => Sees(e.SpaceGuid, e.OrganizationGuid);

    public bool Sees(Guid? space, Guid? organization) =>
        space is { } s ? Spaces.Contains(s) : organization is { } org && Organizations.Contains(org);
}

/// <summary>
/// One page of events and the count of all matches (at most what a count may read); <see cref="PartitionsRead"/> and
/// <see cref="RowsRead"/> say what the read cost the table.
/// </summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Events.EventPage")]
public sealed record EventPage(
    [property: Id(0)] int TotalResults, [property: Id(1)] ImmutableArray<AuditEvent> Events,
    [property: Id(2)] int PartitionsRead = 0, [property: Id(3)] int RowsRead = 0);
