using CloudController.Api.Errors;
using CloudController.GrainInterfaces.Errors;

namespace CloudController.Api.Auth;

/// <summary>
/// CF's check order: no bearer token → 401 NotAuthenticated; a token that does not verify → 401 InvalidAuthToken;
/// a valid token without the route's scope → 403 InsufficientScope (v2) / NotAuthorized (v3); admin-only routes →
/// 403 NotAuthorized. Unmatched routes pass through to the CF 404.
/// </summary>
internal sealed class CfAuthorizationMiddleware(RequestDelegate next, TokenService tokens)
{
    private const string BearerPrefix = "bearer ";

    public Task InvokeAsync(HttpContext http)
    {
        var endpoint = http.GetEndpoint();
        if (endpoint is null)
        {
            return next(http);
        }

        var access = endpoint.Metadata.GetMetadata<CfAccessMetadata>()?.Access
            ?? (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) ? CfAccess.Read : CfAccess.Write);
        var header = http.Request.Headers.Authorization.ToString();
        var hasBearer = header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase);
        var user = hasBearer ? tokens.ValidateAccessToken(header[BearerPrefix.Length..].Trim()) : null;
        if (user is not null)
        {
            http.Features.Set(user);
        }

        if (access == CfAccess.Anonymous)
        {
            return next(http);
        }

        var denied = (hasBearer, user) switch
        {
            (false, _) => new CloudControllerException(CfErrorCode.NotAuthenticated, "Authentication error"),
            (true, null) => new CloudControllerException(CfErrorCode.InvalidAuthToken, "Invalid Auth Token"),
            _ => Check(access, user),
        };
        return denied is null ? next(http) : CfErrorWriter.WriteAsync(http, denied);
    }

    private static CloudControllerException? Check(CfAccess access, CfUser user) => access switch
    {
        CfAccess.Read when !user.CanRead => InsufficientScope(),
        CfAccess.Write when !user.CanWrite => InsufficientScope(),
        CfAccess.Admin when !user.IsAdmin => user.CanWrite ? NotAuthorized() : InsufficientScope(),
        _ => null,
    };

    private static CloudControllerException InsufficientScope() =>
        new(CfErrorCode.InsufficientScope, "Your token lacks the necessary scopes to access this resource.");

    private static CloudControllerException NotAuthorized() =>
        new(CfErrorCode.NotAuthorized, "You are not authorized to perform the requested action");
}
