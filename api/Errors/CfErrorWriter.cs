using CloudController.Api.Http;
using CloudController.Api.Json;
using CloudController.GrainInterfaces.Errors;

namespace CloudController.Api.Errors;

/// <summary>Writes a CF error in the envelope of the request's API version.</summary>
internal static class CfErrorWriter
{
    public static Task WriteAsync(HttpContext http, CloudControllerException error)
    {
        var version = ApiVersions.Of(http);
        return WriteAsync(http, CfErrors.From(error, version), version);
    }

    public static Task WriteAsync(HttpContext http, CfErrorResult error, ApiVersion version)
    {
        var body = error.ToBody(version);
        http.Response.StatusCode = error.Status;
        return http.Response.WriteAsJsonAsync(body, body.GetType(), CfJson.Options, http.RequestAborted);
    }
}
