using System.Text.Json;
using CloudController.Api.Platform;
using CloudController.GrainInterfaces.Apps;

namespace CloudController.Api.Resources;

/// <summary>
/// The v3 app, seed-era shape (spec 3.1): desired_state, total_desired_instances, lifecycle, relative links; plus
/// <c>state</c> (the same value), which later v3 and the cf CLI v6 read.
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
    IReadOnlyDictionary<string, Link> Links)
{
    public static V3AppResource From(AppSnapshot app, PlatformCatalog platform, bool seesEnvironment = true)
    {
        var self = $"/v3/apps/{app.Guid}";
        var links = new Dictionary<string, Link>
        {
            ["self"] = new(self),
            ["space"] = new($"/v2/spaces/{app.SpaceGuid}"),
            ["processes"] = new($"{self}/processes"),
            ["routes"] = new($"{self}/routes"),
            ["packages"] = new($"{self}/packages"),
            ["droplets"] = new($"{self}/droplets"),
            ["tasks"] = new($"{self}/tasks"),
            ["start"] = new($"{self}/start", "PUT"),
            ["stop"] = new($"{self}/stop", "PUT"),
            ["assign_current_droplet"] = new($"{self}/current_droplet", "PUT"),
        };
        if (app.CurrentDropletGuid is { } droplet)
        {
            links["droplet"] = new($"/v3/droplets/{droplet}");
        }

        return new V3AppResource(
            app.Guid,
            app.Name,
            AppEntity.Upper(app.State),
            AppEntity.Upper(app.State),
            app.State == AppState.Started ? app.Instances : 0,
            app.CreatedAt,
            app.UpdatedAt,
            V3Lifecycle.Of(app, platform),
            seesEnvironment ? AppEntity.Environment(app) : AppEntity.RedactedElement,
            links);
    }
}

/// <summary><c>{"type": "buildpack", "data": {"buildpack": ..., "stack": "&lt;stack name&gt;"}}</c>, or docker with empty data.</summary>
internal sealed record V3Lifecycle(string Type, object Data)
{
    public static V3Lifecycle Of(AppSnapshot app, PlatformCatalog platform) =>
        app.DockerImage is not null
            ? new("docker", new Dictionary<string, string>())
            : new("buildpack", new V3BuildpackData(app.Buildpack, platform.Stacks.FirstOrDefault(s => s.Guid == app.StackGuid)?.Name ?? platform.DefaultStack.Name));
}

internal sealed record V3BuildpackData(string? Buildpack, string Stack);
