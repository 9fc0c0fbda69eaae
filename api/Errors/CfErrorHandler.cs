using CloudController.Api.Http;
using Microsoft.AspNetCore.Diagnostics;

namespace CloudController.Api.Errors;

/// <summary>The one exit for exceptions: a CF error body, a log line for server faults, never a stack trace on the wire.</summary>
internal sealed partial class CfErrorHandler(ILogger<CfErrorHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        var version = ApiVersions.Of(http);
        var error = CfErrors.From(exception, version);
        if (error.Status == StatusCodes.Status503ServiceUnavailable)
        {
            // The cluster was unreachable or a silo died mid-call: expected during failover, one line is enough.
            LogUnavailable(http.Request.Method, http.Request.Path.Value, http.TraceIdentifier, exception.GetType().Name, exception.Message);
        }
        else if (error.Status >= StatusCodes.Status500InternalServerError)
        {
            // ASP.NET Core 10 no longer logs exceptions an IExceptionHandler handled.
            LogServerError(exception, http.Request.Method, http.Request.Path.Value, http.TraceIdentifier);
        }

        if (http.Response.HasStarted)
        {
            return false;
        }

        await CfErrorWriter.WriteAsync(http, error, version);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} answered 503 [{RequestId}]: {ExceptionType}: {Reason}")]
    private partial void LogUnavailable(string method, string? path, string requestId, string exceptionType, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed [{RequestId}]")]
    private partial void LogServerError(Exception exception, string method, string? path, string requestId);
}
