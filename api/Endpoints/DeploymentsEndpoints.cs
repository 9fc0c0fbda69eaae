using System.Text.Json;
using System.Text.Json.Nodes;
using CloudController.Api.Auth;
using CloudController.Api.Hosting;
using CloudController.Api.Json;
using CloudController.Api.Paging;
using CloudController.GrainInterfaces.Access;
using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Deployments;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Hosting;
using CloudController.GrainInterfaces.Lists;

namespace CloudController.Api.Endpoints;

/// <summary>
/// <c>/v3/deployments</c>: rolling deployments of a droplet to an app (<c>cf push --strategy rolling</c>,
/// <c>cf restart --strategy rolling</c>), each a durable grain that rolls the app's web instances (see
/// <see cref="IDeploymentGrain"/>). Who may see or change one is who may see or develop its app.
/// </summary>
internal static class DeploymentsEndpoints
{
    /// <summary>Apps a list without <c>app_guids</c> reads the deployments of (the caller's first apps).</summary>
    private const int MaxAppsListed = 500;

    private static readonly string[] Filters = ["app_guids", "states", "status_values", "status_reasons", "label_selector"];

    public static IEndpointRouteBuilder MapDeployments(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v3/deployments", CreateAsync).Unguarded("checks the body's app");
        routes.MapGet("/v3/deployments", ListAsync).Unguarded("lists the deployments of the caller's apps only");
        routes.MapGet("/v3/deployments/{guid}", GetAsync).Unguarded("checks the deployment's app");
        routes.MapPost("/v3/deployments/{guid}/actions/cancel", CancelAsync).Unguarded("checks the deployment's app");
        return routes;
    }

    private static async Task<IResult> CreateAsync(HttpContext http, IGrainFactory grains)
    {
        var body = await V3Body.ReadAsync(http.Request, "relationships", "droplet", "revision", "strategy", "metadata", "options");
        var appGuid = body.Relationship("app", () => CloudControllerException.Unprocessable("Relationships must include an app"))
            ?? throw CloudControllerException.Unprocessable("Relationships must include an app");
        if (body.Has("revision"))
        {
            throw CloudControllerException.Unprocessable("Revisions are not supported on this server");
        }

        if (body.Fields.OptionalString("strategy") is { } strategy && strategy != "rolling")
        {
            throw CloudControllerException.Unprocessable("Strategy 'rolling' is the only strategy supported here");
        }

        await http.RequireAsync(AccessKind.App, appGuid, AccessNeed.Develop);
        var app = await grains.GetGrain<IAppGrain>(appGuid).FindAsync() ?? throw CloudControllerException.Unprocessable("App must exist");
        var droplet = body.Root.TryGetProperty("droplet", out var d) && d.ValueKind == JsonValueKind.Object && d.TryGetProperty("guid", out var g)
            && g.ValueKind == JsonValueKind.String && Guid.TryParse(g.GetString(), out var parsed)
                ? parsed
                : app.CurrentDropletGuid
                    ?? throw CloudControllerException.Unprocessable("Invalid droplet. Please specify a droplet in the request or set a current droplet for the app.");
        http.Carry(Audit.Node(body.Root));
        var deployment = await NewGrain.CallAsync(grains.GetGrain<IDeploymentGrain>(Guid.NewGuid()),
            grain => grain.CreateAsync(app.Guid, droplet, GrainInterfaces.Events.AuditContext.Actor));
        var resource = Resource(deployment, http.BaseUrlOf());
        return TypedResults.Json(resource, CfJson.Options, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> GetAsync(string guid, HttpContext http, IGrainFactory grains) =>
        TypedResults.Json(Resource(await VisibleAsync(http, grains, guid, AccessNeed.Read), http.BaseUrlOf()), CfJson.Options);

    private static async Task<IResult> CancelAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var deployment = await VisibleAsync(http, grains, guid, AccessNeed.Develop);
        http.Carry();
        var canceled = await grains.GetGrain<IDeploymentGrain>(deployment.Guid).CancelAsync();
        return TypedResults.Json(Resource(canceled, http.BaseUrlOf()), CfJson.Options);
    }

    /// <summary>The deployments of the named apps (or of the caller's first apps), newest first, filtered by state and status.</summary>
    private static async Task<IResult> ListAsync(HttpContext http, IGrainFactory grains)
    {
        var query = V3ListQuery.Parse(http.Request.Query, Filters);
        var apps = (await grains.Lists().AppsAsync(http.ListCaller(), new ListFilter { Guids = query.GuidsOf("app_guids") },
            new ListWindow(ListOrder.Created, false, 1, MaxAppsListed))).Items;
        var guids = (await Task.WhenAll(apps.Select(a => grains.GetGrain<IAppDeploymentsGrain>(a.Guid).ListAsync()))).SelectMany(l => l).Distinct();
        var deployments = (await Task.WhenAll(guids.Select(g => grains.GetGrain<IDeploymentGrain>(g).FindAsync()))).OfType<DeploymentSnapshot>()
            .Where(d => Matches(query, "states", d.State) && Matches(query, "status_values", d.Value) && Matches(query, "status_reasons", d.Reason))
            .OrderByDescending(d => d.CreatedAt).ToList();
        var url = http.BaseUrlOf();
        return TypedResults.Ok(V3Page<JsonObject>.Create(url, http.Request.Path, query, deployments.Count,
            [.. deployments.Skip((query.Page - 1) * query.PerPage).Take(query.PerPage).Select(d => Resource(d, url))]));
    }

    private static bool Matches(V3ListQuery query, string filter, string value) =>
        query.ValuesOf(filter) is { IsDefaultOrEmpty: false } values ? values.Contains(value) : true;

    /// <summary>The deployment, when the caller may <paramref name="need"/> its app; otherwise (or when there is none) CC's 404.</summary>
    private static async Task<DeploymentSnapshot> VisibleAsync(HttpContext http, IGrainFactory grains, string guid, AccessNeed need)
    {
        static CloudControllerException NotFound() => new(CfErrorCode.ResourceNotFound, "Deployment not found");
        var deployment = RouteGuid.TryParse(guid, out var g) ? await grains.GetGrain<IDeploymentGrain>(g).FindAsync() : null;
        if (deployment is null)
        {
            throw NotFound();
        }

        await http.RequireNamedAsync(AccessKind.App, deployment.AppGuid, need, NotFound);
        return deployment;
    }

    private static JsonObject Resource(DeploymentSnapshot d, string url)
    {
        var self = $"{url}/v3/deployments/{d.Guid}";
        return new JsonObject
        {
            ["guid"] = d.Guid,
            ["created_at"] = CfTimestampConverter.ToCf(d.CreatedAt),
            ["updated_at"] = CfTimestampConverter.ToCf(d.UpdatedAt ?? d.CreatedAt),
            ["state"] = d.State,
            ["status"] = new JsonObject
            {
                ["value"] = d.Value,
                ["reason"] = d.Reason,
                ["details"] = new JsonObject { ["last_successful_healthcheck"] = null, ["last_status_change"] = null },
            },
            ["strategy"] = "rolling",
            ["options"] = new JsonObject { ["max_in_flight"] = 1 },
            ["droplet"] = new JsonObject { ["guid"] = d.DropletGuid },
            ["previous_droplet"] = new JsonObject { ["guid"] = d.PreviousDropletGuid },
            ["new_processes"] = new JsonArray(new JsonObject { ["guid"] = d.WebProcessGuid, ["type"] = AppProcess.Web }),
            ["revision"] = null,
            ["relationships"] = new JsonObject { ["app"] = new JsonObject { ["data"] = new JsonObject { ["guid"] = d.AppGuid } } },
            ["metadata"] = new JsonObject { ["labels"] = new JsonObject(), ["annotations"] = new JsonObject() },
            ["links"] = new JsonObject
            {
                ["self"] = new JsonObject { ["href"] = self },
                ["app"] = new JsonObject { ["href"] = $"{url}/v3/apps/{d.AppGuid}" },
                ["cancel"] = new JsonObject { ["href"] = $"{self}/actions/cancel", ["method"] = "POST" },
            },
        };
    }
}
