using System.Collections.Immutable;

namespace CloudController.GrainInterfaces.Access;

/// <summary>
/// The kinds of resources a route can name, each resolved to the organization (and space) that owns it. A build is
/// its droplet under another name (and another not-found answer).
/// </summary>
public enum AccessKind { Organization, Space, App, Package, Droplet, Job, User, Build, Route, PrivateDomain, Process }

/// <summary>
/// What a request wants of a resource. <see cref="Read"/>: see it. <see cref="ReadSecrets"/>: see its environment.
/// <see cref="Develop"/>: change apps and their bits (space developer). <see cref="ManageSpace"/>: rename a space,
/// assign its roles (space or org manager). <see cref="ManageOrganization"/>: org manager only.
/// </summary>
public enum AccessNeed { Read, ReadSecrets, Develop, ManageSpace, ManageOrganization }

/// <summary>
/// <see cref="Missing"/>: no such resource (the route answers its own 404). <see cref="Hidden"/>: the caller may not
/// even see it. <see cref="Denied"/>: it may see it but not do this.
/// </summary>
public enum AccessVerdict { Allowed, Missing, Hidden, Denied }

/// <summary>
/// A verdict and, when the resource judged was an app, the app as it was read for the judgement (the app routes
/// answer from it instead of reading the app again across the gateway) and whether the caller may see its
/// environment variables (<see cref="AccessNeed.ReadSecrets"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Access.AccessDecision")]
public sealed record AccessDecision(AccessVerdict Verdict, Apps.AppSnapshot? App = null, bool SeesSecrets = false);

/// <summary>Platform-wide read rights a token's scopes give: admin_read_only reads everything, global_auditor all but secrets.</summary>
public enum ReadPrivilege { None, GlobalAuditor, AdminReadOnly }

/// <summary>Who asks: the token's user id (a client id for client tokens), and its platform-wide read right.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Access.AccessCaller")]
public sealed record AccessCaller(string Id, ReadPrivilege Privilege);

/// <summary>
/// What a caller sees by role: its organizations, its spaces with their organization, and the spaces where it is a
/// developer (whose apps' environment variables it may see).
/// </summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Access.VisibleScopes")]
public sealed record VisibleScopes(ImmutableArray<Guid> Organizations, ImmutableDictionary<Guid, Guid> Spaces, ImmutableArray<Guid> DeveloperSpaces)
{
    public static readonly VisibleScopes None = new([], ImmutableDictionary<Guid, Guid>.Empty, []);
}

/// <summary>
/// Authorization decided next to the grains it reads (a stateless worker): the caller's membership record and the
/// resource's owning space and organization, fetched concurrently. Admins never ask: the front-end lets them through.
/// </summary>
[Alias("CloudController.GrainInterfaces.Access.IAccessGrain")]
public interface IAccessGrain : IGrainWithIntegerKey
{
    [Alias("DecideAsync")]
    Task<AccessDecision> DecideAsync(AccessCaller caller, AccessKind kind, Guid guid, AccessNeed need);

    /// <summary>The organizations and spaces a list may show the caller: O(its roles), plus the spaces of organizations it manages.</summary>
    [Alias("VisibleAsync")]
    Task<VisibleScopes> VisibleAsync(string callerId);
}
