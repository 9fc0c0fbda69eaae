using CloudController.Api.Http;
using CloudController.GrainInterfaces.Access;
using CloudController.GrainInterfaces.Errors;
using Microsoft.Extensions.Caching.Memory;

namespace CloudController.Api.Auth;

/// <summary>
/// What a route does to which resource: the resource named by a route value (<see cref="RouteValue"/>), checked by
/// <see cref="CfAccessHandler"/> before the handler runs.
/// </summary>
internal sealed record CfGuardMetadata(AccessKind Kind, AccessNeed Need, string RouteValue);

/// <summary>
/// A route that names no resource in its path: it creates from a body (and asks <see cref="AccessControl.RequireAsync"/>
/// for the owner it names), lists (filtered by <see cref="AccessControl.VisibleAsync"/>) or serves platform-wide data.
/// </summary>
internal sealed record CfUnguardedMetadata(string Why);

/// <summary>
/// Role-based authorization in one place: admins pass; platform-wide readers read; everyone else is judged by the
/// silo's <see cref="IAccessGrain"/> against their membership. Refusals follow CF: a resource the caller may not see
/// is 403 NotAuthorized in v2 and the resource's 404 in v3; one it sees but may not change is 403 NotAuthorized.
/// </summary>
internal sealed class AccessControl(IGrainFactory grains, IConfiguration configuration, TimeProvider clock) : IDisposable
{
    /// <summary>
    /// How long a read of an app, package or droplet the caller's roles allowed is remembered (per API instance, per
    /// user and resource): <c>CloudController:Access:ReadDecisionSeconds</c>, default 1, 0 to judge every read.
    /// Writes, refusals, lists, spaces and organizations are never remembered, so losing a role stops every change
    /// and every list at once, and those reads within this bound.
    /// </summary>
    private readonly TimeSpan _readDecisionLifetime = TimeSpan.FromSeconds(
        Math.Clamp(configuration.GetValue("CloudController:Access:ReadDecisionSeconds", 1.0), 0, 60));

    private readonly MemoryCache _allowedReads = CacheClock.Create(clock, 100_000);

    public void Dispose() => _allowedReads.Dispose();

    /// <summary>Refuses as CF does, or returns; an app judged on the way is kept for the route (<see cref="AccessControlExtensions.JudgedApp"/>).</summary>
    public async Task RequireAsync(HttpContext http, AccessKind kind, Guid guid, AccessNeed need)
    {
        var caller = http.CfUser() ?? throw new CloudControllerException(CfErrorCode.NotAuthenticated, "Authentication error");
        if (Bypasses(caller, need))
        {
            return;
        }

        var remembered = need == AccessNeed.Read && kind is AccessKind.App or AccessKind.Package or AccessKind.Droplet or AccessKind.Process
            && _readDecisionLifetime > TimeSpan.Zero ? (caller.UserId, kind, guid) : default;
        if (remembered != default && _allowedReads.TryGetValue(remembered, out bool seesSecrets))
        {
            if (kind == AccessKind.App)
            {
                http.Features.Set(new JudgedApp(guid, null, seesSecrets));
            }

            return;
        }

        var asking = new AccessCaller(caller.UserId, caller.Privilege);
        var decision = kind is not (AccessKind.Job or AccessKind.User) && Guid.TryParse(caller.UserId, out var user)
            ? await grains.GetGrain<GrainInterfaces.Users.IUserGrain>(user).DecideAsync(asking, kind, guid, need)
            : await grains.GetGrain<IAccessGrain>(0).DecideAsync(asking, kind, guid, need);
        if (decision.App is { } app)
        {
            http.Features.Set(new JudgedApp(app.Guid, app, decision.SeesSecrets));
        }

        if (remembered != default && decision.Verdict == AccessVerdict.Allowed)
        {
            _allowedReads.Set(remembered, decision.SeesSecrets, new MemoryCacheEntryOptions
            {
                Size = 1,
                AbsoluteExpirationRelativeToNow = _readDecisionLifetime,
            });
        }

        switch (decision.Verdict)
        {
            case AccessVerdict.Hidden when ApiVersions.Of(http) == ApiVersion.V3 && NotFound(kind, guid) is { } notFound:
                throw notFound;
            case AccessVerdict.Hidden or AccessVerdict.Denied:
                throw NotAuthorized();
        }
    }

    /// <summary>The organizations and spaces a list may show the caller; null when it sees everything.</summary>
    public async Task<VisibleScopes?> VisibleAsync(HttpContext http)
    {
        var caller = http.CfUser()!;
        return caller.SeesEverything ? null : await grains.GetGrain<IAccessGrain>(0).VisibleAsync(caller.UserId);
    }

    public static CloudControllerException NotAuthorized() =>
        new(CfErrorCode.NotAuthorized, "You are not authorized to perform the requested action");

    private static bool Bypasses(CfUser caller, AccessNeed need) =>
        caller.IsAdmin
        || (need == AccessNeed.Read && caller.Privilege != ReadPrivilege.None)
        || (need == AccessNeed.ReadSecrets && caller.Privilege == ReadPrivilege.AdminReadOnly);

    private static CloudControllerException? NotFound(AccessKind kind, Guid guid) => kind switch
    {
        AccessKind.Organization => CloudControllerException.OrganizationNotFound(guid),
        AccessKind.Space => CloudControllerException.SpaceNotFound(guid),
        AccessKind.App => CloudControllerException.AppNotFound(guid),
        AccessKind.Package => CloudControllerException.PackageNotFound(),
        AccessKind.Droplet => CloudControllerException.DropletNotFound(),
        AccessKind.Build => new CloudControllerException(CfErrorCode.ResourceNotFound, "Build not found"),
        AccessKind.Route => CloudControllerException.RouteNotFound(guid),
        AccessKind.PrivateDomain => CloudControllerException.DomainNotFound(guid),
        AccessKind.Process => CloudControllerException.ProcessNotFound(),
        AccessKind.Job => new CloudControllerException(CfErrorCode.ResourceNotFound, "Job not found"),
        AccessKind.User => new CloudControllerException(CfErrorCode.ResourceNotFound, "User not found"),
        _ => null,
    };
}

/// <summary>An app an access decision judged during this request: as it read it (when it did), and whether the caller sees its environment.</summary>
internal sealed record JudgedApp(Guid Guid, GrainInterfaces.Apps.AppSnapshot? App, bool SeesSecrets);

internal static class AccessControlExtensions
{
    /// <summary>The app this request's access check read, when it was <paramref name="guid"/>: a read route answers from it.</summary>
    public static GrainInterfaces.Apps.AppSnapshot? JudgedApp(this HttpContext http, Guid guid) =>
        http.Features.Get<JudgedApp>() is { App: { } app } && app.Guid == guid ? app : null;

    /// <summary>
    /// Whether the caller sees <paramref name="app"/>'s environment variables: admins and admin_read_only do, a
    /// global auditor does not, others where they are space developers (from this request's decision on the app,
    /// or from the caller's <paramref name="visible"/> scopes in a list). Others get CF's redaction.
    /// </summary>
    public static bool SeesSecretsOf(this HttpContext http, GrainInterfaces.Apps.AppSnapshot app, VisibleScopes? visible = null)
    {
        var caller = http.CfUser()!;
        if (caller.IsAdmin || caller.Privilege == ReadPrivilege.AdminReadOnly)
        {
            return true;
        }

        return http.Features.Get<JudgedApp>() is { } judged && judged.Guid == app.Guid
            ? judged.SeesSecrets
            : visible is not null && visible.DeveloperSpaces.Contains(app.SpaceGuid);
    }

    /// <summary>Declares that the route <paramref name="need"/>s the <paramref name="kind"/> its <paramref name="routeValue"/> names.</summary>
    public static TBuilder Guard<TBuilder>(this TBuilder builder, AccessKind kind, AccessNeed need, string routeValue = "guid")
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new CfGuardMetadata(kind, need, routeValue));

    /// <summary>Declares that the route names no resource in its path, and why that is safe.</summary>
    public static TBuilder Unguarded<TBuilder>(this TBuilder builder, string why)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new CfUnguardedMetadata(why));

    public static Task RequireAsync(this HttpContext http, AccessKind kind, Guid guid, AccessNeed need) =>
        http.RequestServices.GetRequiredService<AccessControl>().RequireAsync(http, kind, guid, need);

    /// <summary>
    /// As <see cref="RequireAsync"/> for a resource a request body names: one the caller cannot see (or that does not
    /// exist) is the request's own error, <paramref name="invalid"/> (v3's 422 "Invalid space. Ensure ..."), not a 404.
    /// </summary>
    public static async Task RequireNamedAsync(this HttpContext http, AccessKind kind, Guid guid, AccessNeed need, Func<CloudControllerException> invalid)
    {
        try
        {
            await http.RequireAsync(kind, guid, need);
        }
        catch (CloudControllerException e) when (e.Code is CfErrorCode.OrganizationNotFound or CfErrorCode.SpaceNotFound or CfErrorCode.AppNotFound or CfErrorCode.ResourceNotFound)
        {
            throw invalid();
        }
    }

    public static Task<VisibleScopes?> VisibleAsync(this HttpContext http) =>
        http.RequestServices.GetRequiredService<AccessControl>().VisibleAsync(http);
}
