using System.Text.Json;
using CloudController.Api.Platform;
using CloudController.GrainInterfaces.Droplets;

namespace CloudController.Api.Resources;

/// <summary>The v3 droplet (spec 3.5, Aug-2016 states: STAGING → STAGED | FAILED, EXPIRED).</summary>
internal sealed record V3DropletResource(
    Guid Guid,
    string State,
    string? Error,
    V3Lifecycle Lifecycle,
    int MemoryLimit,
    int DiskLimit,
    V3DropletResult? Result,
    JsonElement EnvironmentVariables,
    DateTimeOffset CreatedAt,
    DateTimeOffset? UpdatedAt,
    IReadOnlyDictionary<string, Link> Links,
    string? Stack = null,
    IReadOnlyList<V3DropletBuildpack>? Buildpacks = null,
    IReadOnlyDictionary<string, string>? ProcessTypes = null)
{
    public static V3DropletResource From(DropletSnapshot d, PlatformCatalog platform)
    {
        var request = d.Request;
        var stack = platform.Stacks.FirstOrDefault(s => s.Guid == request?.StackGuid)?.Name ?? platform.DefaultStack.Name;
        using var env = JsonDocument.Parse(request?.EnvironmentVariables ?? "{}");
        return new V3DropletResource(
            d.Guid,
            AppEntity.Upper(d.State),
            d.Error,
            new V3Lifecycle("buildpack", new V3BuildpackData(request?.Buildpack, stack)),
            request?.MemoryLimit ?? 1024,
            request?.DiskLimit ?? 4096,
            d.State == DropletState.Staged
                ? new V3DropletResult("", d.Types, new V3Hash("sha1", d.Blob?.Sha1), d.Buildpack, stack)
                : null,
            env.RootElement.Clone(),
            d.CreatedAt,
            d.UpdatedAt,
            new Dictionary<string, Link>
            {
                ["self"] = new($"/v3/droplets/{d.Guid}"),
                ["app"] = new($"/v3/apps/{d.AppGuid}"),
                ["assign_current_droplet"] = new($"/v3/apps/{d.AppGuid}/current_droplet", "PUT"),
            }.With(d.PackageGuid != Guid.Empty, "package", new($"/v3/packages/{d.PackageGuid}"))
            .With(d.AcceptsUpload, "upload", new($"/v3/droplets/{d.Guid}/upload", "POST"))
            .With(d.State == DropletState.Staged, "download", new($"/v3/droplets/{d.Guid}/download")),
            // Today's top-level fields next to the 2016 result: `cf app` shows the stack and buildpacks from them.
            stack,
            d.State == DropletState.Staged && d.Buildpack is { } buildpack ? [new V3DropletBuildpack(buildpack, buildpack)] : [],
            d.State == DropletState.Staged ? d.Types : new Dictionary<string, string>());
    }
}

internal sealed record V3DropletBuildpack(string Name, string DetectOutput);

internal sealed record V3DropletResult(
    string ExecutionMetadata,
    IReadOnlyDictionary<string, string> ProcessTypes,
    V3Hash Hash,
    string? Buildpack,
    string Stack);

/// <summary>The v3 build (current API): the staging of one package; here a build shares its droplet's guid.</summary>
internal sealed record V3BuildResource(
    Guid Guid,
    string State,
    string? Error,
    V3Lifecycle Lifecycle,
    GuidRef Package,
    GuidRef? Droplet,
    DateTimeOffset CreatedAt,
    DateTimeOffset? UpdatedAt,
    IReadOnlyDictionary<string, Link> Links)
{
    public static V3BuildResource From(DropletSnapshot d, PlatformCatalog platform)
    {
        var droplet = V3DropletResource.From(d, platform);
        return new V3BuildResource(
            d.Guid,
            d.State == DropletState.Expired ? "STAGED" : droplet.State,
            d.Error,
            droplet.Lifecycle,
            new GuidRef(d.PackageGuid),
            d.State is DropletState.Staged or DropletState.Expired ? new GuidRef(d.Guid) : null,
            d.CreatedAt,
            d.UpdatedAt,
            new Dictionary<string, Link>
            {
                ["self"] = new($"/v3/builds/{d.Guid}"),
                ["app"] = new($"/v3/apps/{d.AppGuid}"),
            });
    }
}

internal static class LinkMaps
{
    /// <summary>The links with <paramref name="name"/> added when <paramref name="present"/>.</summary>
    public static Dictionary<string, Link> With(this Dictionary<string, Link> links, bool present, string name, Link link)
    {
        if (present)
        {
            links[name] = link;
        }

        return links;
    }
}
