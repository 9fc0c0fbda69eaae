using System.Text.Json;
using System.Text.Json.Nodes;
using CloudController.Api.Auth;
using CloudController.Api.Json;
using CloudController.Api.Paging;
using CloudController.Api.Platform;
using CloudController.Api.Requests;
using CloudController.Api.Resources;
using CloudController.GrainInterfaces.Lists;
using CloudController.GrainInterfaces.Access;
using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Hosting;
using CloudController.GrainInterfaces.Runtime;
using CloudController.GrainInterfaces.Spaces;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CloudController.Api.Endpoints;

/// <summary>v2 apps: create, read, list (all and per space), update (incl. start/stop), delete, summary, instances, stats.</summary>
internal static class AppsEndpoints
{
    private static readonly string[] Filters = ["name", "space_guid", "organization_guid"];
    private static readonly string[] SpaceFilters = ["name"];
    private static readonly string[] Orders = ["name"];

    public static IEndpointRouteBuilder MapApps(this IEndpointRouteBuilder routes)
    {
        var v2 = routes.MapGroup("/v2/apps");
        v2.MapPost("/", CreateAsync).Unguarded("checks the body's space");
        v2.MapGet("/", ListAsync).Unguarded("lists the caller's spaces only");
        v2.MapGet("/{guid}", GetAsync).Guard(AccessKind.App, AccessNeed.Read);
        v2.MapPut("/{guid}", UpdateAsync).Guard(AccessKind.App, AccessNeed.Develop);
        v2.MapDelete("/{guid}", DeleteAsync).Guard(AccessKind.App, AccessNeed.Develop);
        v2.MapPost("/{guid}/restage", RestageAsync).Guard(AccessKind.App, AccessNeed.Develop);
        v2.MapGet("/{guid}/summary", SummaryAsync).Guard(AccessKind.App, AccessNeed.Read);
        v2.MapGet("/{guid}/instances", InstancesAsync).Guard(AccessKind.App, AccessNeed.Read);
        v2.MapGet("/{guid}/stats", StatsAsync).Guard(AccessKind.App, AccessNeed.Read);
        v2.MapDelete("/{guid}/instances/{index:int}", StopInstanceAsync).Guard(AccessKind.App, AccessNeed.Develop);
        v2.MapGet("/{guid}/env", EnvAsync).Guard(AccessKind.App, AccessNeed.ReadSecrets);
        routes.MapGet("/v2/spaces/{guid}/apps", ListInSpaceAsync).Guard(AccessKind.Space, AccessNeed.Read);
        return routes;
    }

    private static async Task<Created<V2Resource<AppEntity>>> CreateAsync(HttpContext http, IGrainFactory grains, PlatformCatalog platform)
    {
        var body = await RequestBody.ReadAsync<V2AppRequest>(http.Request, JsonFieldErrors.V2);
        body.RequireCreateFields(JsonFieldErrors.V2);
        var fields = body.ToFields();
        await http.RequireAsync(AccessKind.Space, fields.SpaceGuid!.Value, AccessNeed.Develop);
        var space = await ExistingSpaceAsync(grains, fields.SpaceGuid!.Value);
        fields = fields with
        {
            StackGuid = CheckedStack(platform, fields.StackGuid) ?? platform.DefaultStack.Guid,
            EnableSsh = fields.EnableSsh ?? space.AllowSsh,
        };
        await CheckAsync(grains, fields, space);
        http.CarryRequest();
        var app = await NewGrain.CallAsync(grains.GetGrain<IAppGrain>(Guid.NewGuid()), app => app.CreateAsync(fields));
        var resource = AppEntity.Resource(app);
        return TypedResults.Created(resource.Metadata.Url, resource);
    }

    private static async Task<Ok<V2Resource<AppEntity>>> GetAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var app = App(grains, guid);
        var snapshot = http.JudgedApp(app.GetPrimaryKey()) ?? await app.GetAsync();
        return TypedResults.Ok(AppEntity.Resource(snapshot, http.SeesSecretsOf(snapshot)));
    }

    private static async Task<JsonHttpResult<V2Resource<AppEntity>>> UpdateAsync(string guid, HttpContext http, IGrainFactory grains, PlatformCatalog platform)
    {
        var grain = App(grains, guid);
        var current = await grain.GetAsync();
        var body = await RequestBody.ReadAsync<V2AppRequest>(http.Request, JsonFieldErrors.V2, emptyIsObject: true);
        var fields = body.ToFields();
        if (fields.Instances is not null || fields.Memory is not null || fields.DiskQuota is not null)
        {
            await FeatureFlagsEndpoints.RequireAsync(http, grains, GrainInterfaces.Config.FeatureFlags.AppScaling);
        }

        if (fields.SpaceGuid is { } moveTo && moveTo != current.SpaceGuid)
        {
            // Moving an app needs developer rights where it goes, too.
            await http.RequireAsync(AccessKind.Space, moveTo, AccessNeed.Develop);
        }

        var space = await ExistingSpaceAsync(grains, fields.SpaceGuid ?? current.SpaceGuid);
        fields = fields with { StackGuid = CheckedStack(platform, fields.StackGuid) };
        await CheckAsync(grains, fields, space);
        http.CarryRequest();
        var updated = await grain.UpdateAsync(fields);

        // v2 updates answer 201 Created, as CF does.
        return TypedResults.Json(AppEntity.Resource(updated), CfJson.Options, statusCode: 201);
    }

    private static async Task<Created<V2Resource<AppEntity>>> RestageAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var app = await App(grains, guid).RestageAsync();
        var resource = AppEntity.Resource(app);
        return TypedResults.Created(resource.Metadata.Url, resource);
    }

    private static async Task<IResult> DeleteAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        http.Carry(new JsonObject { ["recursive"] = http.Request.Query["recursive"] == "true" });
        await App(grains, guid).DeleteAsync();
        return AsyncDeletion.Answer(http);
    }

    private static Task<Ok<V2Page<AppEntity>>> ListAsync(HttpContext http, IGrainFactory grains)
    {
        var query = V2ListQuery.Parse(http.Request.Query, Filters, Orders);
        return PageAsync(http, grains, query, new ListFilter
        {
            Names = query.ValuesOf("name"),
            SpaceGuids = query.GuidsOf("space_guid"),
            OrganizationGuids = query.GuidsOf("organization_guid"),
        });
    }

    private static async Task<Ok<V2Page<AppEntity>>> ListInSpaceAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var space = await grains.GetGrain<ISpaceGrain>(RouteGuid.Parse(guid, CloudControllerException.SpaceNotFound)).GetAsync();
        var query = V2ListQuery.Parse(http.Request.Query, SpaceFilters, Orders);
        return await PageAsync(http, grains, query, new ListFilter { Names = query.ValuesOf("name"), SpaceGuids = [space.Guid] });
    }

    private static async Task<Ok<V2Page<AppEntity>>> PageAsync(HttpContext http, IGrainFactory grains, V2ListQuery query, ListFilter filter)
    {
        var page = await grains.Lists().AppsAsync(http.ListCaller(), filter, query.Window);
        return TypedResults.Ok(V2Page<AppEntity>.Create(http.Request.Path, query, page.TotalResults,
            [.. page.Items.Select(a => AppEntity.Resource(a, http.SeesSecretsOf(a, page.Visible)))]));
    }

    private static async Task<JsonHttpResult<JsonObject>> SummaryAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var app = await App(grains, guid).GetAsync();
        var summary = AppSummary.From(app, http.SeesSecretsOf(app));
        summary["running_instances"] = (await App(grains, guid).InstancesAsync(AppProcess.Web)).Running;
        summary["routes"] = new JsonArray([.. (await RouteViews.OfAppAsync(grains, app.Guid)).Select(r => (JsonNode)RouteViews.Summary(r.Route, r.Domain))]);
        return TypedResults.Json(summary, CfJson.Options);
    }

    /// <summary>The app's environment as <c>cf env</c> shows it (developers, admins and admin_read_only only).</summary>
    private static async Task<Ok<V2AppEnv>> EnvAsync(string guid, HttpContext http, IGrainFactory grains, Hosting.BaseUrl baseUrl)
    {
        var app = await App(grains, guid).GetAsync();
        return TypedResults.Ok(new V2AppEnv(
            await EnvironmentGroupsEndpoints.VariablesAsync(grains, "staging"), await EnvironmentGroupsEndpoints.VariablesAsync(grains, "running"), AppEntity.Environment(app), AppEnvironment.System(),
            await AppEnvironment.ApplicationAsync(grains, app, baseUrl.Of(http))));
    }

    /// <summary>
    /// The instances the runtime reports, keyed <c>0..n-1</c>: a stopped app is CF's InstancesError, one still
    /// staging NotStaged; a desired instance the runtime does not report (yet) is <c>DOWN</c>.
    /// </summary>
    private static async Task<Ok<Dictionary<string, InstanceInfo>>> InstancesAsync(string guid, IGrainFactory grains, IConfiguration configuration)
    {
        var grain = App(grains, guid);
        var app = await grain.GetAsync();
        if (app.State == AppState.Stopped)
        {
            throw new CloudControllerException(CfErrorCode.InstancesError,
                $"Instances error: Request failed for app: {app.Name} as the app is in stopped state.");
        }

        if (app.PackageState != AppPackageState.Staged)
        {
            throw new CloudControllerException(CfErrorCode.NotStaged, "App has not finished staging");
        }

        var report = await grain.InstancesAsync(AppProcess.Web);
        return TypedResults.Ok(Enumerable.Range(0, Rendered(app, configuration)).ToDictionary(
            i => i.ToString(System.Globalization.CultureInfo.InvariantCulture),
            i => report.Instances.FirstOrDefault(r => r.Index == i) is { } instance
                ? new InstanceInfo(instance.State, instance.Since.ToUnixTimeMilliseconds() / 1000.0) { Details = instance.Details }
                : new InstanceInfo(InstanceStates.Down, 0)));
    }

    private static async Task<Ok<Dictionary<string, InstanceStats>>> StatsAsync(string guid, IGrainFactory grains, IConfiguration configuration, TimeProvider clock)
    {
        var grain = App(grains, guid);
        var app = await grain.GetAsync();
        if (app.State == AppState.Stopped)
        {
            throw new CloudControllerException(CfErrorCode.AppStoppedStatsError, $"Could not fetch stats for stopped app: {app.Name}");
        }

        var report = await grain.InstancesAsync(AppProcess.Web);
        var now = clock.GetUtcNow();
        return TypedResults.Ok(Enumerable.Range(0, Rendered(app, configuration)).ToDictionary(
            i => i.ToString(System.Globalization.CultureInfo.InvariantCulture),
            i => report.Instances.FirstOrDefault(r => r.Index == i) is { } instance
                ? new InstanceStats(instance.State, new InstanceUsageStats(
                    app.Name, [], instance.Host ?? "127.0.0.1", instance.Port ?? 0, (long)Math.Max(0, (now - instance.Since).TotalSeconds),
                    instance.MemoryQuotaBytes, instance.DiskQuotaBytes, 16384,
                    new InstanceUsage(instance.Usage.Cpu, instance.Usage.MemoryBytes, instance.Usage.DiskBytes, instance.Usage.Time ?? now)))
                : new InstanceStats(InstanceStates.Down, null)));
    }

    private static async Task<NoContent> StopInstanceAsync(string guid, int index, IGrainFactory grains)
    {
        var grain = App(grains, guid);
        var app = await grain.GetAsync();
        if (index < 0 || index >= app.Instances)
        {
            throw new CloudControllerException(CfErrorCode.InstancesError, $"Instances error: Instance {index} of app {app.Name} does not exist");
        }

        await grain.StopInstanceAsync(AppProcess.Web, index);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Entries an instances or stats answer may hold: the app's count, never more than the platform's limit
    /// (<c>CloudController:Apps:MaxInstances</c>), even for an app stored before the limit existed.
    /// </summary>
    private static int Rendered(AppSnapshot app, IConfiguration configuration) =>
        Math.Clamp(app.Instances, 0, configuration.GetValue("CloudController:Apps:MaxInstances", 1000));

    private static IAppGrain App(IGrainFactory grains, string guid) =>
        grains.GetGrain<IAppGrain>(RouteGuid.Parse(guid, CloudControllerException.AppNotFound));

    private static async Task<SpaceSnapshot> ExistingSpaceAsync(IGrainFactory grains, Guid space) =>
        await grains.GetGrain<ISpaceGrain>(space).FindAsync() ?? throw AppRequests.InvalidRelation("Space")(space.ToString());

    private static Guid? CheckedStack(PlatformCatalog platform, Guid? stack) =>
        stack is null || platform.Stacks.Any(s => s.Guid == stack) ? stack : throw AppRequests.InvalidRelation("Stack")(stack.Value.ToString());

    /// <summary>The cross-resource rules the app grain cannot see: docker support, buildpack names, ssh.</summary>
    private static async Task CheckAsync(IGrainFactory grains, AppFields fields, SpaceSnapshot space)
    {
        if (fields.DockerImage is not null)
        {
            throw new CloudControllerException(CfErrorCode.DockerDisabled, "Docker support has not been enabled.");
        }

        if (fields.EnableSsh == true && !space.AllowSsh)
        {
            throw new CloudControllerException(CfErrorCode.InvalidRequest, "The request is invalid: enable_ssh must be false due to global or space setting");
        }

        if (fields.Buildpack is { } buildpack && !await BuildpackNames.IsValidAsync(grains, buildpack))
        {
            throw CloudControllerException.AppInvalid($"buildpack {buildpack} is not valid public url or a known buildpack name");
        }
    }
}

internal sealed record InstanceInfo(string State, double Since)
{
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Details { get; init; }
}

internal sealed record InstanceStats(string State, InstanceUsageStats? Stats);

/// <summary>v2 stats of one instance: zero usage from the simulated runtime (it runs nothing), never invented figures.</summary>
internal sealed record InstanceUsageStats(
    string Name, IReadOnlyList<string> Uris, string Host, int Port, long Uptime, long MemQuota, long DiskQuota, int FdsQuota, InstanceUsage Usage);

internal sealed record InstanceUsage(double Cpu, long Mem, long Disk, DateTimeOffset Time);

/// <summary>The v2 app summary: guid, name, the (empty) routes and services, then the entity's own fields.</summary>
internal static class AppSummary
{
    public static JsonObject From(AppSnapshot app, bool seesEnvironment) => WithEntity(new JsonObject
    {
        ["guid"] = app.Guid,
        ["name"] = app.Name,
        ["routes"] = new JsonArray(),
        ["running_instances"] = 0,
        ["services"] = new JsonArray(),
        ["available_domains"] = new JsonArray(),
    }, app, seesEnvironment);

    /// <summary>Adds the app's v2 entity fields, without its <c>*_url</c> links, to a summary (app or space summary entry).</summary>
    public static JsonObject WithEntity(JsonObject summary, AppSnapshot app, bool seesEnvironment)
    {
        var entity = JsonSerializer.SerializeToNode(AppEntity.Resource(app, seesEnvironment).Entity, CfJson.Options)!.AsObject();
        foreach (var (key, value) in entity.Where(p => !summary.ContainsKey(p.Key) && !p.Key.EndsWith("_url", StringComparison.Ordinal)))
        {
            summary[key] = value?.DeepClone();
        }

        return summary;
    }
}
