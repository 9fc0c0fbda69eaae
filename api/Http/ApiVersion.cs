namespace CloudController.Api.Http;

/// <summary>Which CF API a request belongs to; it decides the error envelope and error names.</summary>
internal enum ApiVersion { V2, V3 }

internal static class ApiVersions
{
    public static ApiVersion Of(HttpContext http) =>
        http.Request.Path.StartsWithSegments("/v3", StringComparison.OrdinalIgnoreCase) ? ApiVersion.V3 : ApiVersion.V2;
}
