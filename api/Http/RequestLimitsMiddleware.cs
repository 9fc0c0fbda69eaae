using CloudController.Api.Errors;
using CloudController.GrainInterfaces.Errors;

namespace CloudController.Api.Http;

/// <summary>
/// Over-long request lines and header blocks are answered as CF errors in the request's envelope (414, 431), not with
/// the empty bodies Kestrel gives them. Kestrel's own limits are set above these (<see cref="KestrelLine"/>,
/// <see cref="KestrelHeaders"/>) so that this middleware sees the request first.
/// </summary>
internal sealed class RequestLimitsMiddleware(RequestDelegate next)
{
    public const int MaxRequestTarget = 8 * 1024;
    public const int MaxHeaderBytes = 32 * 1024;
    public const int KestrelLine = 64 * 1024;
    public const int KestrelHeaders = 128 * 1024;

    public Task InvokeAsync(HttpContext http)
    {
        var request = http.Request;
        if ((request.Path.Value?.Length ?? 0) + request.QueryString.Value?.Length > MaxRequestTarget)
        {
            return Refuse(http, StatusCodes.Status414UriTooLong, $"The request is invalid: the request URI is longer than {MaxRequestTarget} bytes");
        }

        var headers = 0L;
        foreach (var (name, values) in request.Headers)
        {
            headers += name.Length + 4;
            foreach (var value in values)
            {
                headers += value?.Length ?? 0;
            }
        }

        return headers > MaxHeaderBytes
            ? Refuse(http, StatusCodes.Status431RequestHeaderFieldsTooLarge, $"The request is invalid: the request headers are larger than {MaxHeaderBytes} bytes")
            : next(http);
    }

    private static Task Refuse(HttpContext http, int status, string description) =>
        CfErrorWriter.WriteAsync(http, new CfErrorResult(status, CfErrorCode.InvalidRequest, description), ApiVersions.Of(http));
}
