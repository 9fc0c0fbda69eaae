using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CloudController.Api.Auth;
using CloudController.Api.Hosting;
using CloudController.Api.Json;
using CloudController.Api.Paging;
using CloudController.GrainInterfaces.Access;
using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Droplets;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Hosting;
using CloudController.GrainInterfaces.Lists;
using CloudController.GrainInterfaces.Tasks;

namespace CloudController.Api.Endpoints;

/// <summary>
/// <c>/v3/tasks</c> and <c>/v3/apps/:guid/tasks</c> (<c>cf run-task</c>, <c>cf tasks</c>, <c>cf terminate-task</c>): one-off
/// commands run on the app's droplet by the simulated runtime (see <see cref="ITaskGrain"/>). Space developers run
/// and cancel them; whoever reads the app lists them, the command shown only to those who see its secrets.
/// </summary>
internal static class TasksEndpoints
{
    private const int MaxCommand = 4096;
    private const int MaxName = 255;
    private const int MaxAppsListed = 500;
    private static readonly string[] Filters = ["names", "states", "sequence_ids", "guids", "app_guids", "space_guids", "organization_guids", "label_selector"];

    public static IEndpointRouteBuilder MapTasks(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v3/apps/{guid}/tasks", CreateAsync).Guard(AccessKind.App, AccessNeed.Develop);
        routes.MapGet("/v3/apps/{guid}/tasks", ListForAppAsync).Guard(AccessKind.App, AccessNeed.Read);
        routes.MapGet("/v3/tasks", ListAsync).Unguarded("lists the tasks of the caller's apps only");
        routes.MapGet("/v3/tasks/{guid}", GetAsync).Unguarded("checks the task's app");
        routes.MapPost("/v3/tasks/{guid}/actions/cancel", CancelAsync).Unguarded("checks the task's app");
        routes.MapPut("/v3/tasks/{guid}/cancel", CancelAsync).Unguarded("checks the task's app");
        return routes;
    }

    private static async Task<IResult> CreateAsync(string guid, HttpContext http, IGrainFactory grains, TimeProvider clock)
    {
        var app = await grains.GetGrain<IAppGrain>(RouteGuid.Parse(guid, CloudControllerException.AppNotFound)).GetAsync();
        var body = await V3Body.ReadAsync(http.Request, "command", "name", "memory_in_mb", "disk_in_mb", "droplet_guid", "template", "metadata",
            "log_rate_limit_in_bytes_per_second");
        await FeatureFlagsEndpoints.RequireAsync(http, grains, GrainInterfaces.Config.FeatureFlags.TaskCreation);
        var command = body.Fields.OptionalString("command") ?? TemplateCommand(app, body.Root)
            ?? throw CloudControllerException.Unprocessable("The request is semantically invalid: command presence");
        var name = body.Fields.OptionalString("name") ?? Guid.NewGuid().ToString("N")[..8];
        var memory = body.Fields.OptionalInt("memory_in_mb") ?? app.Memory;
        var disk = body.Fields.OptionalInt("disk_in_mb") ?? app.DiskQuota;
        if (command.Length is 0 or > MaxCommand || name.Length is 0 or > MaxName)
        {
            throw CloudControllerException.Unprocessable(command.Length is 0 or > MaxCommand
                ? $"Command must be between 1 and {MaxCommand} characters"
                : $"Name must be between 1 and {MaxName} characters");
        }

        if (memory is < 1 or > 1024 * 1024 || disk is < 1 or > 1024 * 1024)
        {
            throw CloudControllerException.Unprocessable(memory is < 1 or > 1024 * 1024 ? "Memory in mb must be greater than 0" : "Disk in mb must be greater than 0");
        }

        var dropletGuid = body.Fields.OptionalString("droplet_guid") is { } text
            ? Guid.TryParse(text, out var d) ? d : throw CloudControllerException.Unprocessable("Droplet guid must be a guid")
            : app.CurrentDropletGuid ?? throw CloudControllerException.Unprocessable("Task must have a droplet. Assign current droplet to app.");
        if (await grains.GetGrain<IDropletGrain>(dropletGuid).FindAsync() is not { State: DropletState.Staged } droplet || droplet.AppGuid != app.Guid)
        {
            throw CloudControllerException.Unprocessable("Task must have a droplet. Assign current droplet to app.");
        }

        var taskGuid = Guid.NewGuid();
        var sequence = await grains.GetGrain<IAppTasksGrain>(app.Guid).AddAsync(taskGuid);
        var now = clock.GetUtcNow();
        var task = await NewGrain.CallAsync(grains.GetGrain<ITaskGrain>(taskGuid), t => t.CreateAsync(
            new TaskSnapshot(taskGuid, app.Guid, sequence, name, command, memory, disk, dropletGuid, TaskStates.Pending, null, now, now)));
        return TypedResults.Json(Resource(task, http.BaseUrlOf(), showCommand: true), CfJson.Options, statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary><c>template.process.guid</c>: the command of one of the app's processes.</summary>
    private static string? TemplateCommand(AppSnapshot app, JsonElement body) =>
        body.TryGetProperty("template", out var template) && template.ValueKind == JsonValueKind.Object
            && template.TryGetProperty("process", out var process) && process.ValueKind == JsonValueKind.Object
            && process.TryGetProperty("guid", out var guid) && guid.ValueKind == JsonValueKind.String && Guid.TryParse(guid.GetString(), out var g)
            ? app.ProcessByGuid(g)?.EffectiveCommand ?? throw CloudControllerException.Unprocessable("Template process must be a process of the app")
            : null;

    private static async Task<IResult> ListForAppAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var app = await grains.GetGrain<IAppGrain>(RouteGuid.Parse(guid, CloudControllerException.AppNotFound)).GetAsync();
        return await PageAsync(http, grains, V3ListQuery.Parse(http.Request.Query, Filters), [app]);
    }

    private static async Task<IResult> ListAsync(HttpContext http, IGrainFactory grains)
    {
        var query = V3ListQuery.Parse(http.Request.Query, Filters);
        var apps = (await grains.Lists().AppsAsync(http.ListCaller(), new ListFilter
        {
            Guids = query.GuidsOf("app_guids"),
            SpaceGuids = query.GuidsOf("space_guids"),
            OrganizationGuids = query.GuidsOf("organization_guids"),
        }, new ListWindow(ListOrder.Created, false, 1, MaxAppsListed))).Items;
        return await PageAsync(http, grains, query, apps);
    }

    /// <summary>The apps' tasks in sequence order, filtered; each task read once.</summary>
    private static async Task<IResult> PageAsync(HttpContext http, IGrainFactory grains, V3ListQuery query, IReadOnlyList<AppSnapshot> apps)
    {
        var guids = (await Task.WhenAll(apps.Select(a => grains.GetGrain<IAppTasksGrain>(a.Guid).ListAsync()))).SelectMany(l => l).ToList();
        var sequenceIds = query.ValuesOf("sequence_ids");
        var tasks = (await Task.WhenAll(guids.Select(g => grains.GetGrain<ITaskGrain>(g).FindAsync()))).OfType<TaskSnapshot>()
            .Where(t => In(query.ValuesOf("names"), t.Name) && In(query.ValuesOf("states"), t.State)
                && In(sequenceIds, t.SequenceId.ToString(CultureInfo.InvariantCulture)) && In(query.ValuesOf("guids"), t.Guid.ToString()))
            .OrderBy(t => t.AppGuid).ThenBy(t => t.SequenceId).ToList();
        var url = http.BaseUrlOf();
        var byApp = apps.ToDictionary(a => a.Guid);
        return TypedResults.Ok(V3Page<JsonObject>.Create(url, http.Request.Path, query, tasks.Count,
            [.. tasks.Skip((query.Page - 1) * query.PerPage).Take(query.PerPage).Select(t => Resource(t, url, http.SeesSecretsOf(byApp[t.AppGuid])))]));
    }

    private static bool In(ImmutableArray<string> values, string value) => values.IsDefaultOrEmpty || values.Contains(value);

    private static async Task<IResult> GetAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var (task, app) = await VisibleAsync(http, grains, guid, AccessNeed.Read);
        return TypedResults.Json(Resource(task, http.BaseUrlOf(), http.SeesSecretsOf(app)), CfJson.Options);
    }

    private static async Task<IResult> CancelAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var (task, _) = await VisibleAsync(http, grains, guid, AccessNeed.Develop);
        var canceled = await grains.GetGrain<ITaskGrain>(task.Guid).CancelAsync();
        return TypedResults.Json(Resource(canceled, http.BaseUrlOf(), showCommand: true), CfJson.Options, statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary>The task and its app, when the caller may <paramref name="need"/> the app; otherwise CC's 404.</summary>
    private static async Task<(TaskSnapshot Task, AppSnapshot App)> VisibleAsync(HttpContext http, IGrainFactory grains, string guid, AccessNeed need)
    {
        static CloudControllerException NotFound() => new(CfErrorCode.ResourceNotFound, "Task not found");
        var task = (RouteGuid.TryParse(guid, out var g) ? await grains.GetGrain<ITaskGrain>(g).FindAsync() : null) ?? throw NotFound();
        await http.RequireNamedAsync(AccessKind.App, task.AppGuid, need, NotFound);
        return (task, await grains.GetGrain<IAppGrain>(task.AppGuid).FindAsync() ?? throw NotFound());
    }

    private static JsonObject Resource(TaskSnapshot t, string url, bool showCommand)
    {
        var self = $"{url}/v3/tasks/{t.Guid}";
        var resource = new JsonObject
        {
            ["guid"] = t.Guid,
            ["sequence_id"] = t.SequenceId,
            ["name"] = t.Name,
            ["command"] = t.Command,
            ["state"] = t.State,
            ["memory_in_mb"] = t.MemoryInMb,
            ["disk_in_mb"] = t.DiskInMb,
            ["log_rate_limit_in_bytes_per_second"] = -1,
            ["result"] = new JsonObject { ["failure_reason"] = t.FailureReason },
            ["droplet_guid"] = t.DropletGuid,
            ["created_at"] = CfTimestampConverter.ToCf(t.CreatedAt),
            ["updated_at"] = CfTimestampConverter.ToCf(t.UpdatedAt ?? t.CreatedAt),
            ["relationships"] = new JsonObject { ["app"] = new JsonObject { ["data"] = new JsonObject { ["guid"] = t.AppGuid } } },
            ["metadata"] = new JsonObject { ["labels"] = new JsonObject(), ["annotations"] = new JsonObject() },
            ["links"] = new JsonObject
            {
                ["self"] = new JsonObject { ["href"] = self },
                ["app"] = new JsonObject { ["href"] = $"{url}/v3/apps/{t.AppGuid}" },
                ["cancel"] = new JsonObject { ["href"] = $"{self}/actions/cancel", ["method"] = "POST" },
                ["droplet"] = new JsonObject { ["href"] = $"{url}/v3/droplets/{t.DropletGuid}" },
            },
        };
        if (!showCommand)
        {
            resource.Remove("command");
        }

        return resource;
    }
}
