using CloudController.Api.Errors;
using CloudController.GrainInterfaces.Errors;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.Options;

namespace CloudController.Api.Auth;

/// <summary>
/// Authentication and authorization on ASP.NET Core's own machinery: the JWT bearer scheme (<see cref="CfBearerEvents"/>)
/// names the caller, one policy (the fallback policy, for every route not marked anonymous) asks
/// <see cref="CfAccessHandler"/> whether the caller may use the route, and <see cref="CfRefusalWriter"/> writes the
/// refusals in CF's (or, for the SCIM routes, UAA's) shapes.
/// </summary>
internal static class CfAuthorization
{
    public static IServiceCollection AddCfAuthorization(this IServiceCollection services)
    {
        services.AddSingleton<CfBearerEvents>();
        services.AddSingleton<IConfigureOptions<JwtBearerOptions>, ConfigureCfBearer>();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddAuthorizationBuilder().SetFallbackPolicy(new AuthorizationPolicyBuilder().AddRequirements(new CfAccessRequirement()).Build());
        services.AddSingleton<IAuthorizationHandler, CfAccessHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, CfRefusalWriter>();
        return services;
    }

    /// <summary>What the route requires: its <see cref="CfAccessMetadata"/>, else reading for GET and HEAD and writing for the rest.</summary>
    public static CfAccess AccessOf(HttpContext http) =>
        http.GetEndpoint()?.Metadata.GetMetadata<CfAccessMetadata>()?.Access
        ?? (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) ? CfAccess.Read : CfAccess.Write);

    public static bool IsUaa(CfAccess access) => access is CfAccess.ScimRead or CfAccess.ScimWrite or CfAccess.UaaSelf;
}

/// <summary>The requirement every non-anonymous route carries: the caller may use it (see <see cref="CfAccessHandler"/>).</summary>
internal sealed class CfAccessRequirement : IAuthorizationRequirement;

/// <summary>Why a caller was refused, as the error the caller gets.</summary>
internal sealed class CfRefusal(IAuthorizationHandler handler, CloudControllerException error) : AuthorizationFailureReason(handler, error.Message)
{
    public CloudControllerException Error { get; } = error;
}

/// <summary>
/// CF's check order for an authenticated caller: the route's scope (403 InsufficientScope, or NotAuthorized for
/// admin-only and platform-wide routes when the caller could otherwise write or read), then the caller's roles on the
/// resource the route names (<see cref="CfGuardMetadata"/>, judged by <see cref="AccessControl"/>; a guid that does not
/// parse is left to the route's own 404). SCIM routes want <c>scim.read</c>/<c>scim.write</c> or <c>uaa.admin</c>. A
/// caller without a valid token is not judged here: the policy then challenges (401).
/// </summary>
internal sealed class CfAccessHandler(AccessControl access) : AuthorizationHandler<CfAccessRequirement, HttpContext>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, CfAccessRequirement requirement, HttpContext http)
    {
        if (http.CfUser() is not { } user)
        {
            return;
        }

        var needed = CfAuthorization.AccessOf(http);
        if (CfAuthorization.IsUaa(needed))
        {
            if (needed == CfAccess.UaaSelf || user.Scopes.Contains(needed == CfAccess.ScimRead ? Scopes.ScimRead : Scopes.ScimWrite) || user.Scopes.Contains(Scopes.UaaAdmin))
            {
                context.Succeed(requirement);
            }
            else
            {
                context.Fail(new CfRefusal(this, new CloudControllerException(CfErrorCode.InsufficientScope, "Insufficient scope for this resource")));
            }

            return;
        }

        var refused = ScopeRefusal(needed, user) ?? await GuardRefusalAsync(http);
        if (refused is null)
        {
            context.Succeed(requirement);
        }
        else
        {
            context.Fail(new CfRefusal(this, refused));
        }
    }

    private static CloudControllerException? ScopeRefusal(CfAccess needed, CfUser user) => needed switch
    {
        CfAccess.Read when !user.CanRead => InsufficientScope(),
        CfAccess.Write when !user.CanWrite => InsufficientScope(),
        CfAccess.Admin when !user.IsAdmin => user.CanWrite ? AccessControl.NotAuthorized() : InsufficientScope(),
        CfAccess.PlatformRead when !user.SeesEverything => user.CanRead ? AccessControl.NotAuthorized() : InsufficientScope(),
        _ => null,
    };

    private async Task<CloudControllerException?> GuardRefusalAsync(HttpContext http)
    {
        if (http.GetEndpoint()?.Metadata.GetMetadata<CfGuardMetadata>() is not { } guard
            || !Guid.TryParse(http.Request.RouteValues[guard.RouteValue] as string, out var guid))
        {
            return null;
        }

        try
        {
            await access.RequireAsync(http, guard.Kind, guid, guard.Need);
            return null;
        }
        catch (CloudControllerException refused)
        {
            return refused;
        }
    }

    private static CloudControllerException InsufficientScope() =>
        new(CfErrorCode.InsufficientScope, "Your token lacks the necessary scopes to access this resource.");
}

/// <summary>
/// Writes a refusal as the client expects it: without a bearer token 401 NotAuthenticated, with one that does not verify
/// 401 InvalidAuthToken, otherwise the handler's reason (CF's v2 or v3 envelope); the SCIM routes answer in UAA's shape.
/// </summary>
internal sealed class CfRefusalWriter : IAuthorizationMiddlewareResultHandler
{
    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Succeeded)
        {
            return next(context);
        }

        var hasBearer = CfBearerEvents.BearerToken(context.Request) is not null;
        var reason = authorizeResult.AuthorizationFailure?.FailureReasons.OfType<CfRefusal>().FirstOrDefault()?.Error;
        if (CfAuthorization.IsUaa(CfAuthorization.AccessOf(context)))
        {
            return authorizeResult.Challenged || context.CfUser() is null
                ? WriteUaaError(context, 401, hasBearer ? "invalid_token" : "unauthorized",
                    hasBearer ? "The token could not be verified" : "Full authentication is required to access this resource", null)
                : WriteUaaError(context, 403, "insufficient_scope", "Insufficient scope for this resource",
                    $"{Scopes.UaaAdmin} {(CfAuthorization.AccessOf(context) == CfAccess.ScimRead ? Scopes.ScimRead : Scopes.ScimWrite)}");
        }

        var error = authorizeResult.Challenged || context.CfUser() is null
            ? hasBearer
                ? new CloudControllerException(CfErrorCode.InvalidAuthToken, "Invalid Auth Token")
                : new CloudControllerException(CfErrorCode.NotAuthenticated, "Authentication error")
            : reason ?? AccessControl.NotAuthorized();
        return CfErrorWriter.WriteAsync(context, error);
    }

    private static Task WriteUaaError(HttpContext http, int status, string error, string description, string? scope)
    {
        http.Response.StatusCode = status;
        var body = new Dictionary<string, string> { ["error"] = error, ["error_description"] = description };
        if (scope is not null)
        {
            body["scope"] = scope;
        }

        return http.Response.WriteAsJsonAsync(body);
    }
}
