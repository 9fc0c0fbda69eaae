using System.Diagnostics;
using System.Globalization;
using System.Net;
using CloudController.GrainInterfaces.Routing;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Forwarder;

namespace CloudController.Router;

/// <summary>
/// gorouter's behaviour over YARP's forwarder: the request's hostname and the longest matching path choose a route;
/// its RUNNING instances are taken in turn (or the one a <c>__VCAP_ID__</c> cookie names); a connection that fails
/// before any answer is tried on the next instance. The app sees its own Host header, <c>X-Forwarded-For</c>,
/// <c>-Proto</c> and <c>-Host</c>, <c>X-Vcap-Request-Id</c> and <c>X-Request-Start</c>. Errors are gorouter's:
/// 404 <c>unknown_route</c>, 503 <c>no_endpoints</c>, 502 <c>endpoint_failure</c>, each named in <c>X-Cf-Routererror</c>.
/// </summary>
public sealed class RouterProxy(RouteTableCache table, IHttpForwarder forwarder) : IDisposable
{
    public const string RouterError = "X-Cf-Routererror";
    public const string AffinityCookie = "__VCAP_ID__";
    public const string SessionCookie = "JSESSIONID";

    /// <summary>Instances tried for one request at most when connections fail.</summary>
    private const int MaxAttempts = 3;

    private readonly HttpMessageInvoker _client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        ActivityHeadersPropagator = null,
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
    });

    private static readonly ForwarderRequestConfig RequestConfig = new() { ActivityTimeout = TimeSpan.FromSeconds(900) };

    public void Dispose() => _client.Dispose();

    public async Task InvokeAsync(HttpContext context)
    {
        var hostname = context.Request.Host.Host.ToLowerInvariant();
        var pool = table.Current.Match(hostname, context.Request.Path.Value ?? "/");
        if (pool is null)
        {
            await FailAsync(context, StatusCodes.Status404NotFound, "unknown_route", $"404 Not Found: Requested route ('{hostname}') does not exist.");
            return;
        }

        if (pool.Endpoints.IsEmpty)
        {
            await FailAsync(context, StatusCodes.Status503ServiceUnavailable, "no_endpoints", $"503 Service Unavailable: Requested route ('{hostname}') has no available endpoints.");
            return;
        }

        var requestId = context.Request.Headers["X-Vcap-Request-Id"].FirstOrDefault() is { Length: > 0 and <= 256 } given ? given : Guid.NewGuid().ToString("D");
        var started = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var retriable = HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method) || HttpMethods.IsOptions(context.Request.Method);
        var tried = new HashSet<string>(StringComparer.Ordinal);
        var endpoint = Sticky(context, pool) ?? pool.Next();
        for (var attempt = 1; ; attempt++)
        {
            tried.Add(endpoint.InstanceId);
            var transformer = new Transformer(endpoint, requestId, started);
            var error = await forwarder.SendAsync(context, $"http://{endpoint.Host}:{endpoint.Port}", _client, RequestConfig, transformer);
            if (error == ForwarderError.None)
            {
                return;
            }

            if (error == ForwarderError.Request && retriable && !context.Response.HasStarted && attempt < MaxAttempts
                && pool.Endpoints.FirstOrDefault(e => !tried.Contains(e.InstanceId)) is { } other)
            {
                // Nothing reached the client yet: the next instance gets the request (as gorouter does on a failed dial).
                context.Response.Clear();
                context.Features.Set<IForwarderErrorFeature>(null);
                endpoint = other;
                continue;
            }

            if (!context.Response.HasStarted)
            {
                context.Response.Clear();
                await FailAsync(context, StatusCodes.Status502BadGateway, "endpoint_failure", "502 Bad Gateway: Registered endpoint failed to handle the request.");
            }

            return;
        }
    }

    /// <summary>The instance a <c>__VCAP_ID__</c> cookie names, when it still serves this route.</summary>
    private static InstanceEndpoint? Sticky(HttpContext context, RouteTableCache.Pool pool) =>
        context.Request.Cookies.TryGetValue(AffinityCookie, out var id) && id is { Length: > 0 }
            ? pool.Endpoints.FirstOrDefault(e => e.InstanceId == id)
            : null;

    private static async Task FailAsync(HttpContext context, int status, string error, string message)
    {
        context.Response.StatusCode = status;
        context.Response.Headers[RouterError] = error;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(message + "\n");
    }

    /// <summary>YARP's default copy of the request and response, plus gorouter's headers and its session affinity.</summary>
    private sealed class Transformer(InstanceEndpoint endpoint, string requestId, string started) : HttpTransformer
    {
        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
            var request = httpContext.Request;
            proxyRequest.Headers.Host = request.Host.Value;
            var client = httpContext.Connection.RemoteIpAddress?.ToString();
            var forwarded = request.Headers["X-Forwarded-For"].ToString();
            proxyRequest.Headers.Remove("X-Forwarded-For");
            if (client is not null)
            {
                proxyRequest.Headers.TryAddWithoutValidation("X-Forwarded-For", forwarded.Length > 0 ? $"{forwarded}, {client}" : client);
            }

            Set(proxyRequest, "X-Forwarded-Proto", request.Headers["X-Forwarded-Proto"].FirstOrDefault() ?? request.Scheme);
            Set(proxyRequest, "X-Forwarded-Host", request.Headers["X-Forwarded-Host"].FirstOrDefault() ?? request.Host.Value ?? "");
            Set(proxyRequest, "X-Vcap-Request-Id", requestId);
            Set(proxyRequest, "X-Request-Start", started);
            Set(proxyRequest, "X-Cf-InstanceId", endpoint.InstanceId);
            Set(proxyRequest, "X-Cf-InstanceIndex", endpoint.Index.ToString(CultureInfo.InvariantCulture));
            Activity.Current = null;
        }

        public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
        {
            var copied = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
            if (proxyResponse is not null && proxyResponse.Headers.TryGetValues(HeaderNames.SetCookie, out var cookies)
                && cookies.Any(c => c.StartsWith(SessionCookie + "=", StringComparison.OrdinalIgnoreCase)))
            {
                // The app started a session: later requests carrying this cookie come back to this instance.
                httpContext.Response.Headers.Append(HeaderNames.SetCookie, $"{AffinityCookie}={endpoint.InstanceId}; Path=/; HttpOnly");
            }

            httpContext.Response.Headers["X-Vcap-Request-Id"] = requestId;
            return copied;
        }

        private static void Set(HttpRequestMessage request, string name, string value)
        {
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, value);
        }
    }
}
