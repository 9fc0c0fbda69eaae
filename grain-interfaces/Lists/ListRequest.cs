using System.Collections.Immutable;

namespace CloudController.GrainInterfaces.Lists;

/// <summary>How a list is ordered: creation (CF's default), name, or update time (which no index keeps).</summary>
public enum ListOrder { Created, Name, Updated }

/// <summary>A page of a list: its order, direction and place (1-based).</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Lists.ListWindow")]
public sealed record ListWindow(
    [property: Id(0)] ListOrder Order, [property: Id(1)] bool Descending, [property: Id(2)] int Page, [property: Id(3)] int PerPage)
{
    /// <summary>Everything, in creation order (bounded by what a resource may hold, never by a client).</summary>
    public static ListWindow All { get; } = new(ListOrder.Created, false, 1, int.MaxValue);
}

/// <summary>
/// Who lists: someone who sees everything (admins, platform readers) or a user who sees what its roles show. What that
/// is, is worked out in the silo, once per list.
/// </summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Lists.ListCaller")]
public sealed record ListCaller([property: Id(0)] string? RestrictedTo)
{
    public static ListCaller Everything { get; } = new((string?)null);

    public static ListCaller User(string userId) => new(userId);
}

/// <summary>
/// A list's filters in the API's own terms; an empty filter does not filter, values within one are alternatives, and
/// every filter must hold. <see cref="Hosts"/> and <see cref="Paths"/> are null when absent, since an empty value
/// matches the empty host or path. The silo decides which indexes answer.
/// </summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Lists.ListFilter")]
public sealed record ListFilter
{
    [Id(0)] public ImmutableArray<string> Names { get; init; } = [];
    [Id(1)] public ImmutableArray<Guid> Guids { get; init; } = [];
    [Id(2)] public ImmutableArray<Guid> SpaceGuids { get; init; } = [];
    [Id(3)] public ImmutableArray<Guid> OrganizationGuids { get; init; } = [];
    [Id(4)] public ImmutableArray<Guid> AppGuids { get; init; } = [];
    [Id(5)] public ImmutableArray<Guid> DomainGuids { get; init; } = [];

    /// <summary>Resource states by their CF names (<c>READY</c>, <c>STAGED</c>, ...).</summary>
    [Id(6)] public ImmutableArray<string> States { get; init; } = [];

    /// <summary>Resource types by their CF names (<c>bits</c>, <c>docker</c>; roles: <c>space_developer</c>, ...).</summary>
    [Id(7)] public ImmutableArray<string> Types { get; init; } = [];

    [Id(8)] public ImmutableArray<string>? Hosts { get; init; }
    [Id(9)] public ImmutableArray<string>? Paths { get; init; }

    /// <summary>Droplets staged from these packages.</summary>
    [Id(10)] public ImmutableArray<Guid> PackageGuids { get; init; } = [];

    /// <summary>Domains: only shared ones, only private ones, or both (null).</summary>
    [Id(11)] public bool? Shared { get; init; }

    /// <summary>Users holding this role in <see cref="RoleScope"/> (<c>Manager</c>, <c>Developer</c>, ...).</summary>
    [Id(12)] public string? Role { get; init; }

    [Id(13)] public Guid? RoleScope { get; init; }

    /// <summary>Roles held by these users; users with these guids.</summary>
    [Id(14)] public ImmutableArray<Guid> UserGuids { get; init; } = [];

    /// <summary>Organizations these quota definitions apply to.</summary>
    [Id(15)] public ImmutableArray<Guid> QuotaGuids { get; init; } = [];

    public static ListFilter None { get; } = new();
}
