using Microsoft.Extensions.Options;

namespace CloudController.Api.Hosting;

/// <summary>The absolute base URL advertised in info documents and v3 links.</summary>
internal sealed class BaseUrl(IOptions<ApiOptions> options)
{
    public string Of(HttpContext http) =>
        string.IsNullOrWhiteSpace(options.Value.ExternalUrl)
            ? $"{http.Request.Scheme}://{http.Request.Host}"
            : options.Value.ExternalUrl.TrimEnd('/');
}

internal static class BaseUrlExtensions
{
    /// <summary>The API's base URL for this request (absolute links in v3 answers).</summary>
    public static string BaseUrlOf(this HttpContext http) => http.RequestServices.GetRequiredService<BaseUrl>().Of(http);
}
