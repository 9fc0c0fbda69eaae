using System.Text.Json;
using System.Text.Json.Nodes;
using CloudController.Api.Auth;
using CloudController.Api.Hosting;
using CloudController.Api.Json;
using CloudController.Api.Manifests;
using CloudController.Api.Platform;
using CloudController.GrainInterfaces.Access;
using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Droplets;
using CloudController.GrainInterfaces.Errors;

namespace CloudController.Api.Endpoints;

/// <summary>
/// The settings around a v3 app that cf v7 reads and writes one at a time: its environment variables (a merge, where
/// null removes a key), its SSH feature, the current droplet relationship, its manifest, and the revisions and
/// sidecars this server keeps none of (real, empty answers).
/// </summary>
internal static class V3AppSettingsEndpoints
{
    private const string SshDescription = "Enable SSHing into the app.";
    private const string RevisionsDescription = "Enable versioning of an application";

    public static IEndpointRouteBuilder MapV3AppSettings(this IEndpointRouteBuilder routes)
    {
        var app = routes.MapGroup("/v3/apps/{guid}");
        app.MapGet("/environment_variables", EnvironmentAsync).Guard(AccessKind.App, AccessNeed.ReadSecrets);
        app.MapPatch("/environment_variables", PatchEnvironmentAsync).Guard(AccessKind.App, AccessNeed.Develop);
        app.MapGet("/ssh_enabled", SshEnabledAsync).Guard(AccessKind.App, AccessNeed.Read);
        app.MapGet("/features", FeaturesAsync).Guard(AccessKind.App, AccessNeed.Read);
        app.MapGet("/features/{name}", FeatureAsync).Guard(AccessKind.App, AccessNeed.Read);
        app.MapPatch("/features/{name}", SetFeatureAsync).Guard(AccessKind.App, AccessNeed.Develop);
        app.MapGet("/relationships/current_droplet", CurrentDropletAsync).Guard(AccessKind.App, AccessNeed.Read);
        app.MapPatch("/relationships/current_droplet", SetCurrentDropletAsync).Guard(AccessKind.App, AccessNeed.Develop);
        app.MapGet("/manifest", ManifestAsync).Guard(AccessKind.App, AccessNeed.ReadSecrets);
        app.MapGet("/revisions", (string guid, HttpContext http, IGrainFactory grains) => EmptyAsync(guid, http, grains, ["versions", "label_selector"]))
            .Guard(AccessKind.App, AccessNeed.Read);
        app.MapGet("/revisions/deployed", (string guid, HttpContext http, IGrainFactory grains) => EmptyAsync(guid, http, grains, []))
            .Guard(AccessKind.App, AccessNeed.Read);
        app.MapGet("/sidecars", (string guid, HttpContext http, IGrainFactory grains) => EmptyAsync(guid, http, grains, []))
            .Guard(AccessKind.App, AccessNeed.Read);
        routes.MapGet("/v3/processes/{guid}/sidecars", ProcessSidecarsAsync).Guard(AccessKind.Process, AccessNeed.Read);
        return routes;
    }

    private static async Task<IResult> EnvironmentAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var app = await App(grains, guid).GetAsync();
        return TypedResults.Json(EnvironmentBody(app, http.BaseUrlOf()), CfJson.Options);
    }

    /// <summary><c>PATCH .../environment_variables {"var": {...}}</c>: keys set, null values removed, the rest kept (in the grain's turn).</summary>
    private static async Task<IResult> PatchEnvironmentAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var grain = App(grains, guid);
        await grain.GetAsync();
        var body = await V3Body.ReadAsync(http.Request, "var");
        if (!body.Root.TryGetProperty("var", out var vars) || JsonNode.Parse(vars.GetRawText()) is not JsonObject changes)
        {
            throw CloudControllerException.Unprocessable("Var must be an object");
        }

        foreach (var (key, value) in changes)
        {
            if (key.Length == 0 || key.StartsWith("VCAP_", StringComparison.OrdinalIgnoreCase) || key.Equals("PORT", StringComparison.OrdinalIgnoreCase))
            {
                throw CloudControllerException.Unprocessable(key.Length == 0
                    ? "Variables key must not be empty"
                    : $"Variables cannot start with VCAP_ or be PORT: {key}");
            }

            if (value is JsonObject or JsonArray)
            {
                throw CloudControllerException.Unprocessable($"Variables value for {key} must be a string, number, boolean or null");
            }
        }

        http.Carry(Audit.Node(body.Root));
        var app = await grain.UpdateAsync(new AppFields { EnvironmentPatch = changes.ToJsonString() });
        return TypedResults.Json(EnvironmentBody(app, http.BaseUrlOf()), CfJson.Options);
    }

    private static JsonObject EnvironmentBody(AppSnapshot app, string url) => new()
    {
        ["var"] = JsonNode.Parse(app.EnvironmentJson),
        ["links"] = new JsonObject
        {
            ["self"] = new JsonObject { ["href"] = $"{url}/v3/apps/{app.Guid}/environment_variables" },
            ["app"] = new JsonObject { ["href"] = $"{url}/v3/apps/{app.Guid}" },
        },
    };

    private static async Task<IResult> SshEnabledAsync(string guid, IGrainFactory grains)
    {
        var app = await App(grains, guid).GetAsync();
        var space = await grains.GetGrain<GrainInterfaces.Spaces.ISpaceGrain>(app.SpaceGuid).GetAsync();
        var reason = !app.EnableSsh ? "App has SSH disabled" : !space.AllowSsh ? "Space has SSH disabled" : "";
        return TypedResults.Json(new JsonObject { ["enabled"] = app.EnableSsh && space.AllowSsh, ["reason"] = reason }, CfJson.Options);
    }

    private static async Task<IResult> FeaturesAsync(string guid, IGrainFactory grains)
    {
        var app = await App(grains, guid).GetAsync();
        return TypedResults.Json(new JsonObject
        {
            ["resources"] = new JsonArray(Feature("ssh", SshDescription, app.EnableSsh), Feature("revisions", RevisionsDescription, false)),
            ["pagination"] = new JsonObject
            {
                ["total_results"] = 2, ["total_pages"] = 1, ["first"] = null, ["last"] = null, ["next"] = null, ["previous"] = null,
            },
        }, CfJson.Options);
    }

    private static async Task<IResult> FeatureAsync(string guid, string name, IGrainFactory grains)
    {
        var app = await App(grains, guid).GetAsync();
        return TypedResults.Json(name switch
        {
            "ssh" => Feature("ssh", SshDescription, app.EnableSsh),
            "revisions" => Feature("revisions", RevisionsDescription, false),
            _ => throw FeatureNotFound(),
        }, CfJson.Options);
    }

    /// <summary>SSH is an app setting; revisions are not kept here, so they can be turned off but not on.</summary>
    private static async Task<IResult> SetFeatureAsync(string guid, string name, HttpContext http, IGrainFactory grains)
    {
        var grain = App(grains, guid);
        await grain.GetAsync();
        if (name is not ("ssh" or "revisions"))
        {
            throw FeatureNotFound();
        }

        var body = await V3Body.ReadAsync(http.Request, "enabled");
        var enabled = body.Fields.OptionalBool("enabled") ?? throw CloudControllerException.Unprocessable("Enabled must be a boolean");
        if (name == "revisions")
        {
            return enabled
                ? throw CloudControllerException.Unprocessable("Revisions are not supported on this server")
                : TypedResults.Json(Feature("revisions", RevisionsDescription, false), CfJson.Options);
        }

        http.Carry(Audit.Node(body.Root));
        var app = await grain.UpdateAsync(new AppFields { EnableSsh = enabled });
        return TypedResults.Json(Feature("ssh", SshDescription, app.EnableSsh), CfJson.Options);
    }

    private static JsonObject Feature(string name, string description, bool enabled) =>
        new() { ["name"] = name, ["description"] = description, ["enabled"] = enabled };

    private static async Task<IResult> CurrentDropletAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var app = await App(grains, guid).GetAsync();
        return TypedResults.Json(DropletRelationship(app, http.BaseUrlOf()), CfJson.Options);
    }

    /// <summary><c>PATCH .../relationships/current_droplet {"data": {"guid": D}}</c>: a STAGED droplet of this app, else CC's 422.</summary>
    private static async Task<IResult> SetCurrentDropletAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var grain = App(grains, guid);
        var app = await grain.GetAsync();
        var body = await V3Body.ReadAsync(http.Request, "data");
        var dropletGuid = body.Root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
            && data.TryGetProperty("guid", out var value) && value.ValueKind == JsonValueKind.String && Guid.TryParse(value.GetString(), out var parsed)
                ? parsed : (Guid?)null;
        var droplet = dropletGuid is { } d ? await grains.GetGrain<IDropletGrain>(d).FindAsync() : null;
        if (droplet is null || droplet.AppGuid != app.Guid || droplet.State != DropletState.Staged)
        {
            throw CloudControllerException.Unprocessable("Unable to assign current droplet. Ensure the droplet exists and belongs to this app.");
        }

        http.Carry(Audit.Node(body.Root));
        return TypedResults.Json(DropletRelationship(await grain.SetCurrentDropletAsync(droplet, whileStarted: true), http.BaseUrlOf()), CfJson.Options);
    }

    private static JsonObject DropletRelationship(AppSnapshot app, string url) => new()
    {
        ["data"] = app.CurrentDropletGuid is { } d ? new JsonObject { ["guid"] = d.ToString() } : null,
        ["links"] = new JsonObject
        {
            ["self"] = new JsonObject { ["href"] = $"{url}/v3/apps/{app.Guid}/relationships/current_droplet" },
            ["related"] = new JsonObject { ["href"] = $"{url}/v3/apps/{app.Guid}/droplets/current" },
        },
    };

    /// <summary>The app as a manifest (YAML), as <c>cf create-app-manifest</c> saves it.</summary>
    private static async Task<IResult> ManifestAsync(string guid, HttpContext http, IGrainFactory grains, PlatformCatalog platform)
    {
        var app = await App(grains, guid).GetAsync();
        var yaml = await ManifestWriter.WriteAsync(grains, platform, app);
        return TypedResults.Text(yaml, "application/x-yaml");
    }

    private static async Task<IResult> EmptyAsync(string guid, HttpContext http, IGrainFactory grains, string[] filters)
    {
        await App(grains, guid).GetAsync();
        var query = Paging.V3ListQuery.Parse(http.Request.Query, filters);
        return TypedResults.Ok(Paging.V3Page<object>.Create(http.BaseUrlOf(), http.Request.Path, query, 0, []));
    }

    private static async Task<IResult> ProcessSidecarsAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        await ProcessesEndpoints.ProcessAsync(grains, guid);
        var query = Paging.V3ListQuery.Parse(http.Request.Query, []);
        return TypedResults.Ok(Paging.V3Page<object>.Create(http.BaseUrlOf(), http.Request.Path, query, 0, []));
    }

    private static IAppGrain App(IGrainFactory grains, string guid) =>
        grains.GetGrain<IAppGrain>(RouteGuid.Parse(guid, CloudControllerException.AppNotFound));

    private static CloudControllerException FeatureNotFound() => new(CfErrorCode.ResourceNotFound, "Feature not found");
}
