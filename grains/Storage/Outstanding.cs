using System.Collections.Immutable;
using CloudController.GrainInterfaces.Events;

namespace CloudController.Grains.Storage;

/// <summary>
/// What a stored change still owes the records derived from it, stored in the same write as the change (its
/// commit point): the indexes it left (to release), and its audit events (an outbox, appended idempotently). The
/// entries where the resource belongs are derived from the state itself. Kept in memory until the derived work has
/// run; a new activation that finds it stored runs that work again (everything in it is idempotent). Ids are
/// permanent: add new ones, never renumber.
/// </summary>
[GenerateSerializer, Alias("CloudController.Grains.Storage.Outstanding")]
public sealed record Outstanding
{
    /// <summary>Index keys the resource must no longer be in.</summary>
    [Id(0)] public ImmutableArray<string> Releases { get; init; } = [];

    /// <summary>Audit events of the stored change, not yet known to be in the trail.</summary>
    [Id(1)] public ImmutableArray<AuditEvent> Events { get; init; } = [];

    /// <summary>
    /// Organizations whose usage ledger must match the stored resource: what it uses where it is, nothing elsewhere
    /// (it moved away, or uses less since the change).
    /// </summary>
    [Id(2)] public ImmutableArray<Guid> UsageOrganizations { get; init; } = [];

    /// <summary>Process pointers to clear (process types the app no longer has).</summary>
    [Id(3)] public ImmutableArray<Guid> PointerClears { get; init; } = [];

    /// <summary>Process pointers to write (process types the app has gained).</summary>
    [Id(4)] public ImmutableArray<Guid> PointerPuts { get; init; } = [];

    /// <summary>Droplets the change replaced, to expire unless the stored resource still uses them (v2 keeps one).</summary>
    [Id(5)] public ImmutableArray<Guid> DropletExpiries { get; init; } = [];

    public static Outstanding Work(IEnumerable<string>? releases = null, IEnumerable<AuditEvent>? events = null) =>
        new() { Releases = [.. releases ?? []], Events = [.. events ?? []] };

    /// <summary>This work and <paramref name="later"/>'s, for a write made while this was still outstanding.</summary>
    public Outstanding And(Outstanding? later) => later is null ? this : new()
    {
        Releases = [.. Releases.Concat(later.Releases).Distinct(StringComparer.Ordinal)],
        Events = [.. Events.Concat(later.Events).DistinctBy(e => e.Guid)],
        UsageOrganizations = [.. UsageOrganizations.Concat(later.UsageOrganizations).Distinct()],
        PointerClears = [.. PointerClears.Concat(later.PointerClears).Distinct()],
        PointerPuts = [.. PointerPuts.Concat(later.PointerPuts).Distinct()],
        DropletExpiries = [.. DropletExpiries.Concat(later.DropletExpiries).Distinct()],
    };
}
