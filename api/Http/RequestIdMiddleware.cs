namespace CloudController.Api.Http;

/// <summary>
/// Every response carries <c>X-VCAP-Request-ID</c>: the caller's id when it sent a sane one (CF appends its own),
/// else a fresh guid. The id is also the trace identifier and a logging scope, so logs and errors correlate.
/// </summary>
internal sealed partial class RequestIdMiddleware(RequestDelegate next, ILogger<RequestIdMiddleware> logger)
{
    public const string Header = "X-VCAP-Request-ID";

    public async Task InvokeAsync(HttpContext http)
    {
        var own = Guid.NewGuid().ToString("D");
        var incoming = http.Request.Headers[Header].ToString();
        var id = IsSane(incoming) ? $"{incoming}::{own}" : own;
        http.TraceIdentifier = id;
        // Set when the response starts: the exception handler clears headers set earlier.
        http.Response.OnStarting(static state =>
        {
            var context = (HttpContext)state;
            context.Response.Headers[Header] = context.TraceIdentifier;
            return Task.CompletedTask;
        }, http);
        using (logger.BeginScope(new Dictionary<string, object> { ["RequestId"] = id }))
        {
            var started = TimeProvider.System.GetTimestamp();
            await next(http);
            if (logger.IsEnabled(LogLevel.Information))
            {
                var elapsed = TimeProvider.System.GetElapsedTime(started).TotalMilliseconds;
                var path = http.Request.Path.Value;
                LogRequest(http.Request.Method, path, http.Response.StatusCode, elapsed, id);
            }
        }
    }

    private static bool IsSane(string value) =>
        value.Length is > 0 and <= 200 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or ':' or '.');

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Path} → {Status} in {ElapsedMs:0.0} ms [{RequestId}]")]
    private partial void LogRequest(string method, string? path, int status, double elapsedMs, string requestId);
}
