using System.Text.Json.Nodes;
using CloudController.Api.Platform;
using CloudController.GrainInterfaces.Apps;
using YamlDotNet.RepresentationModel;

namespace CloudController.Api.Manifests;

/// <summary>
/// An app as a manifest (<c>GET /v3/apps/:guid/manifest</c>, what <c>cf create-app-manifest</c> saves): its lifecycle,
/// environment, routes, metadata and every process with its scale, command and health check, in CC's key spelling,
/// so that applying it again changes nothing.
/// </summary>
internal static class ManifestWriter
{
    public static async Task<string> WriteAsync(IGrainFactory grains, PlatformCatalog platform, AppSnapshot app)
    {
        var routes = await Endpoints.RouteViews.OfAppAsync(grains, app.Guid);
        var entry = new YamlMappingNode { { "name", app.Name } };
        if (app.DockerImage is { } image)
        {
            entry.Add("docker", new YamlMappingNode { { "image", image } });
        }
        else
        {
            if (app.Buildpack is { } buildpack)
            {
                entry.Add("buildpacks", new YamlSequenceNode(new YamlScalarNode(buildpack)));
            }

            entry.Add("stack", Resources.V3Lifecycle.StackName(app, platform));
        }

        if (JsonNode.Parse(app.EnvironmentJson) is JsonObject { Count: > 0 } env)
        {
            var node = new YamlMappingNode();
            foreach (var (key, value) in env)
            {
                node.Add(key, value is JsonValue v && v.TryGetValue(out string? text) ? text : value?.ToJsonString() ?? "");
            }

            entry.Add("env", node);
        }

        if (routes.Count == 0)
        {
            entry.Add("no-route", "true");
        }
        else
        {
            entry.Add("routes", new YamlSequenceNode(routes.Select(r =>
                (YamlNode)new YamlMappingNode { { "route", Endpoints.RouteViews.Url(r.Route, r.Domain.Name) } })));
        }

        if (app.Metadata.Labels.Count > 0 || app.Metadata.Annotations.Count > 0)
        {
            entry.Add("metadata", new YamlMappingNode
            {
                { "labels", Map(app.Metadata.Labels) },
                { "annotations", Map(app.Metadata.Annotations) },
            });
        }

        entry.Add("processes", new YamlSequenceNode(app.Processes().Select(Process)));
        var document = new YamlMappingNode { { "applications", new YamlSequenceNode(entry) } };
        using var writer = new StringWriter();
        new YamlStream(new YamlDocument(document)).Save(writer, assignAnchors: false);
        return writer.ToString().Replace("\n...\n", "\n", StringComparison.Ordinal);
    }

    private static YamlNode Process(AppProcess process)
    {
        var node = new YamlMappingNode
        {
            { "type", process.Type },
            { "instances", process.Instances.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            { "memory", $"{process.Memory}M" },
            { "disk_quota", $"{process.DiskQuota}M" },
            { "health-check-type", process.HealthCheckType },
        };
        if (process.Command is { } command)
        {
            node.Add("command", command);
        }

        if (process.HealthCheckHttpEndpoint is { } endpoint)
        {
            node.Add("health-check-http-endpoint", endpoint);
        }

        if (process.HealthCheckTimeout is { } timeout)
        {
            node.Add("timeout", timeout.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return node;
    }

    private static YamlMappingNode Map(IReadOnlyDictionary<string, string> values)
    {
        var node = new YamlMappingNode();
        foreach (var (key, value) in values.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            node.Add(key, value);
        }

        return node;
    }
}
