using CloudController.Api.Errors;
using CloudController.GrainInterfaces.Errors;

namespace CloudController.Api.Auth;

/// <summary>
/// CF's check order: no bearer token → 401 NotAuthenticated; a token that does not verify → 401 InvalidAuthToken;
/// a valid token without the route's scope → 403 InsufficientScope (v2) / NotAuthorized (v3); admin-only routes →
/// 403 NotAuthorized; then the caller's roles on the resource the route names (<see cref="CfGuardMetadata"/>,
/// judged by <see cref="AccessControl"/>). Unmatched routes pass through to the CF 404.
/// </summary>
internal sealed class CfAuthorizationMiddleware(RequestDelegate next, TokenService tokens, AccessControl access)
{
    private const string BearerPrefix = "bearer ";

    public async Task InvokeAsync(HttpContext http)
    {
        var endpoint = http.GetEndpoint();
        if (endpoint is null)
        {
            await next(http);
            return;
        }

        var access = endpoint.Metadata.GetMetadata<CfAccessMetadata>()?.Access
            ?? (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) ? CfAccess.Read : CfAccess.Write);
        var header = http.Request.Headers.Authorization.ToString();
        var hasBearer = header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase);
        var user = hasBearer ? await tokens.ValidateAccessTokenAsync(header[BearerPrefix.Length..].Trim()) : null;
        if (user is not null)
        {
            http.Features.Set(user);

            // Every grain call of this request carries its actor, for the audit events grains record.
            http.Carry();
        }

        if (access == CfAccess.Anonymous)
        {
            await next(http);
            return;
        }

        if (access is CfAccess.ScimRead or CfAccess.ScimWrite or CfAccess.UaaSelf)
        {
            await CheckUaa(http, access, hasBearer, user);
            return;
        }

        var denied = (hasBearer, user) switch
        {
            (false, _) => new CloudControllerException(CfErrorCode.NotAuthenticated, "Authentication error"),
            (true, null) => new CloudControllerException(CfErrorCode.InvalidAuthToken, "Invalid Auth Token"),
            _ => Check(access, user),
        };
        denied ??= await GuardAsync(http, endpoint);
        await (denied is null ? next(http) : CfErrorWriter.WriteAsync(http, denied));
    }

    /// <summary>The role check on the resource the route names; a guid that does not parse is left to the route's own 404.</summary>
    private async Task<CloudControllerException?> GuardAsync(HttpContext http, Endpoint endpoint)
    {
        if (endpoint.Metadata.GetMetadata<CfGuardMetadata>() is not { } guard
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

    private static CloudControllerException? Check(CfAccess access, CfUser user) => access switch
    {
        CfAccess.Read when !user.CanRead => InsufficientScope(),
        CfAccess.Write when !user.CanWrite => InsufficientScope(),
        CfAccess.Admin when !user.IsAdmin => user.CanWrite ? NotAuthorized() : InsufficientScope(),
        CfAccess.PlatformRead when !user.SeesEverything => user.CanRead ? NotAuthorized() : InsufficientScope(),
        _ => null,
    };

    /// <summary>UAA's own answers: 401 without a valid token, 403 insufficient_scope naming the scopes that would do.</summary>
    private Task CheckUaa(HttpContext http, CfAccess access, bool hasBearer, CfUser? user)
    {
        var needed = access == CfAccess.ScimRead ? Scopes.ScimRead : Scopes.ScimWrite;
        if (user is null)
        {
            return WriteUaaError(http, 401, hasBearer ? "invalid_token" : "unauthorized",
                hasBearer ? "The token could not be verified" : "Full authentication is required to access this resource", null);
        }

        return access == CfAccess.UaaSelf || user.Scopes.Contains(needed) || user.Scopes.Contains(Scopes.UaaAdmin)
            ? next(http)
            : WriteUaaError(http, 403, "insufficient_scope", "Insufficient scope for this resource", $"{Scopes.UaaAdmin} {needed}");
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

    private static CloudControllerException InsufficientScope() =>
        new(CfErrorCode.InsufficientScope, "Your token lacks the necessary scopes to access this resource.");

    private static CloudControllerException NotAuthorized() => AccessControl.NotAuthorized();
}
