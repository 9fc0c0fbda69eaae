using System.Text.Json;
using CloudController.Api.Platform;
using CloudController.GrainInterfaces.Apps;

namespace CloudController.Api.Resources;

/// <summary>
/// The v3 app as today's CC shows it (relationships, metadata, absolute links, <c>POST</c> start and stop actions),
/// with the seed era's <c>desired_state</c>, <c>total_desired_instances</c> and <c>environment_variables</c> kept for
/// the clients that read them.
/// </summary>
internal sealed record V3AppResource(
    Guid Guid,
    string Name,
    string State,
    string DesiredState,
    int TotalDesiredInstances,
    DateTimeOffset CreatedAt,
    DateTimeOffset? UpdatedAt,
    V3Lifecycle Lifecycle,
    JsonElement EnvironmentVariables,
    IReadOnlyDictionary<string, ToOne> Relationships,
    V3Metadata Metadata,
    IReadOnlyDictionary<string, Link> Links)
{
    public static V3AppResource From(AppSnapshot app, PlatformCatalog platform, string baseUrl, bool seesEnvironment = true)
    {
        var self = $"{baseUrl}/v3/apps/{app.Guid}";
        var links = new Dictionary<string, Link>
        {
            ["self"] = new(self),
            ["space"] = new($"{baseUrl}/v3/spaces/{app.SpaceGuid}"),
            ["processes"] = new($"{self}/processes"),
            ["routes"] = new($"{self}/routes"),
            ["packages"] = new($"{self}/packages"),
            ["environment_variables"] = new($"{self}/environment_variables"),
            ["current_droplet"] = new($"{self}/droplets/current"),
            ["droplets"] = new($"{self}/droplets"),
            ["tasks"] = new($"{self}/tasks"),
            ["start"] = new($"{self}/actions/start", "POST"),
            ["stop"] = new($"{self}/actions/stop", "POST"),
            ["revisions"] = new($"{self}/revisions"),
            ["deployed_revisions"] = new($"{self}/revisions/deployed"),
            ["features"] = new($"{self}/features"),
        };

        return new V3AppResource(
            app.Guid,
            app.Name,
            AppEntity.Upper(app.State),
            AppEntity.Upper(app.State),
            app.State == AppState.Started ? app.Instances : 0,
            app.CreatedAt,
            app.UpdatedAt ?? app.CreatedAt,
            V3Lifecycle.Of(app, platform),
            seesEnvironment ? AppEntity.Environment(app) : AppEntity.RedactedElement,
            new Dictionary<string, ToOne>
            {
                ["space"] = new(new GuidRef(app.SpaceGuid)),
                ["current_droplet"] = new(app.CurrentDropletGuid is { } d ? new GuidRef(d) : null),
            },
            V3Metadata.From(app.Metadata),
            links);
    }
}

/// <summary><c>{"type": "buildpack", "data": {"buildpack": ..., "stack": "&lt;stack name&gt;"}}</c>, or docker with empty data.</summary>
internal sealed record V3Lifecycle(string Type, object Data)
{
    public static V3Lifecycle Of(AppSnapshot app, PlatformCatalog platform) =>
        app.DockerImage is not null
            ? new("docker", new Dictionary<string, string>())
            : new("buildpack", new V3BuildpackData(app.Buildpack, StackName(app, platform)));

    public static string StackName(AppSnapshot app, PlatformCatalog platform) =>
        platform.Stacks.FirstOrDefault(s => s.Guid == app.StackGuid)?.Name ?? platform.DefaultStack.Name;
}

/// <summary>A buildpack lifecycle's data: today's <c>buildpacks</c> list (empty: detect) and the seed era's single <c>buildpack</c>.</summary>
internal sealed record V3BuildpackData(string? Buildpack, string Stack)
{
    public IReadOnlyList<string> Buildpacks => Buildpack is null ? [] : [Buildpack];
}
