using CloudController.Api.Paging;

namespace CloudController.Api.Endpoints;

/// <summary>Which buildpack values an app may name: an admin buildpack, one the built-in stager knows, or a URL.</summary>
internal static class BuildpackNames
{
    private static readonly string[] Detectable =
        ["nodejs_buildpack", "dotnet_core_buildpack", "python_buildpack", "ruby_buildpack", "go_buildpack", "staticfile_buildpack", "java_buildpack", "binary_buildpack"];

    public static async Task<bool> IsValidAsync(IGrainFactory grains, string buildpack)
    {
        if (IsUrl(buildpack) || Detectable.Contains(buildpack))
        {
            return true;
        }

        return await grains.Lists().BuildpackExistsAsync(buildpack);
    }

    private static bool IsUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "git";
}
