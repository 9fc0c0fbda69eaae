using CloudController.Api.Requests;
using System.Text.Json;
using CloudController.Api.Auth;
using CloudController.Api.Hosting;
using CloudController.Api.Json;
using CloudController.Api.Paging;
using CloudController.Api.Platform;
using CloudController.Api.Resources;
using CloudController.GrainInterfaces.Lists;
using CloudController.GrainInterfaces.Access;
using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Hosting;
using CloudController.GrainInterfaces.Spaces;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CloudController.Api.Endpoints;

/// <summary>
/// v3 apps over the same app grains as v2 (an app created in one API reads back in the other): today's shape and
/// actions, with the seed era's request forms (<c>{"space":{"guid"}}</c>, <c>PUT .../start</c>) still accepted.
/// </summary>
internal static class V3AppsEndpoints
{
    private static readonly string[] Filters = ["names", "guids", "space_guids", "organization_guids", "stacks", "lifecycle_type", "include", "label_selector"];

    public static IEndpointRouteBuilder MapV3Apps(this IEndpointRouteBuilder routes)
    {
        var v3 = routes.MapGroup("/v3/apps");
        v3.MapPost("/", CreateAsync).Unguarded("checks the body's space");
        v3.MapGet("/", ListAsync).Unguarded("lists the caller's spaces only");
        v3.MapGet("/{guid}", GetAsync).Guard(AccessKind.App, AccessNeed.Read);
        v3.MapPatch("/{guid}", UpdateAsync).Guard(AccessKind.App, AccessNeed.Develop);
        v3.MapPut("/{guid}", UpdateAsync).Guard(AccessKind.App, AccessNeed.Develop);
        v3.MapDelete("/{guid}", DeleteAsync).Guard(AccessKind.App, AccessNeed.Develop);
        v3.MapPut("/{guid}/start", StartAsync).Guard(AccessKind.App, AccessNeed.Develop);
        v3.MapPut("/{guid}/stop", StopAsync).Guard(AccessKind.App, AccessNeed.Develop);
        v3.MapPost("/{guid}/actions/start", StartAsync).Guard(AccessKind.App, AccessNeed.Develop);
        v3.MapPost("/{guid}/actions/stop", StopAsync).Guard(AccessKind.App, AccessNeed.Develop);
        v3.MapPost("/{guid}/actions/restart", RestartAsync).Guard(AccessKind.App, AccessNeed.Develop);
        v3.MapGet("/{guid}/env", EnvAsync).Guard(AccessKind.App, AccessNeed.ReadSecrets);
        return routes;
    }

    private static async Task<Created<V3AppResource>> CreateAsync(HttpContext http, IGrainFactory grains, PlatformCatalog platform)
    {
        var body = await RequestBody.ReadAsync<V3AppRequest>(http.Request, JsonFieldErrors.V3);
        var (name, spaceGuid) = body.RequireCreateFields(JsonFieldErrors.V3);
        await http.RequireAsync(AccessKind.Space, spaceGuid, AccessNeed.Develop);
        var space = await grains.GetGrain<ISpaceGrain>(spaceGuid).FindAsync()
            ?? throw new CloudControllerException(CfErrorCode.ResourceNotFound, "Space not found");
        var lifecycle = await LifecycleAsync(body, grains, platform);
        var fields = new AppFields
        {
            Name = name,
            SpaceGuid = space.Guid,
            StackGuid = lifecycle?.Stack ?? platform.DefaultStack.Guid,
            Buildpack = lifecycle?.Buildpack,
            EnvironmentJson = body.Environment(),
            EnableSsh = space.AllowSsh,
            Metadata = Metadata(http),
        };
        http.CarryRequest();
        AppSnapshot app;
        try
        {
            app = await NewGrain.CallAsync(grains.GetGrain<IAppGrain>(Guid.NewGuid()), app => app.CreateAsync(fields));
        }
        catch (CloudControllerException e) when (e.Code == CfErrorCode.AppNameTaken)
        {
            throw CloudControllerException.Unprocessable($"App with the name '{name}' already exists.");
        }

        var resource = V3AppResource.From(app, platform, http.BaseUrlOf());
        return TypedResults.Created(resource.Links["self"].Href, resource);
    }

    private static async Task<Ok<V3AppResource>> GetAsync(string guid, HttpContext http, IGrainFactory grains, PlatformCatalog platform)
    {
        var app = App(grains, guid);
        var snapshot = http.JudgedApp(app.GetPrimaryKey()) ?? await app.GetAsync();
        return TypedResults.Ok(V3AppResource.From(snapshot, platform, http.BaseUrlOf(), http.SeesSecretsOf(snapshot)));
    }

    private static async Task<Ok<V3Page<V3AppResource>>> ListAsync(HttpContext http, IGrainFactory grains, PlatformCatalog platform)
    {
        var query = V3ListQuery.Parse(http.Request.Query, Filters);
        var page = await grains.Lists().AppsAsync(http.ListCaller(), new ListFilter
        {
            Names = query.ValuesOf("names"),
            Guids = query.GuidsOf("guids"),
            SpaceGuids = query.GuidsOf("space_guids"),
            OrganizationGuids = query.GuidsOf("organization_guids"),
        }, query.Window);
        var url = http.BaseUrlOf();
        var stacks = query.ValuesOf("stacks");
        var types = query.ValuesOf("lifecycle_type");
        if (query.ValuesOf("include").Any(i => i is not ("space" or "space.organization")))
        {
            throw CloudControllerException.BadQuery("The query parameter is invalid: include may be 'space' and 'space.organization'");
        }

        // Stacks and lifecycle types are filtered within the page (every app here is a buildpack app on a configured stack).
        var items = page.Items.Where(a => (stacks.IsDefaultOrEmpty || stacks.Contains(Resources.V3Lifecycle.StackName(a, platform)))
            && (types.IsDefaultOrEmpty || types.Contains(a.DockerImage is null ? "buildpack" : "docker"))).ToList();
        var result = V3Page<V3AppResource>.Create(url, http.Request.Path, query, page.TotalResults - (page.Items.Length - items.Count),
            [.. items.Select(a => V3AppResource.From(a, platform, url, http.SeesSecretsOf(a, page.Visible)))]);
        return TypedResults.Ok(query.ValuesOf("include").IsDefaultOrEmpty ? result : result with { Included = await IncludedAsync(grains, items, query.ValuesOf("include"), url) });
    }

    private static async Task<Ok<V3AppResource>> UpdateAsync(string guid, HttpContext http, IGrainFactory grains, PlatformCatalog platform)
    {
        var grain = App(grains, guid);
        await grain.GetAsync();
        var body = await RequestBody.ReadAsync<V3AppRequest>(http.Request, JsonFieldErrors.V3, emptyIsObject: true);
        body.RefuseRelationships(JsonFieldErrors.V3);
        var lifecycle = await LifecycleAsync(body, grains, platform);
        http.CarryRequest();
        var app = await grain.UpdateAsync(new AppFields
        {
            Name = body.Name.Value,
            StackGuid = lifecycle?.Stack,
            Buildpack = lifecycle?.Buildpack,
            EnvironmentJson = body.Environment(),
            Cleared = lifecycle is { Buildpack: null } ? [AppSetting.Buildpack] : [],
            Metadata = Metadata(http),
        });
        return TypedResults.Ok(V3AppResource.From(app, platform, http.BaseUrlOf()));
    }

    /// <summary><c>DELETE /v3/apps/:guid</c>: a durable job deletes the app (its processes, packages, droplets and mappings).</summary>
    private static async Task<IResult> DeleteAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var app = await App(grains, guid).GetAsync();
        http.Carry();
        return await JobsEndpoints.AcceptedAsync(http, grains, GrainInterfaces.Jobs.JobKind.DeleteApp, app.Guid);
    }

    /// <summary>Starting runs the current droplet: without one there is nothing to run (CC's 422).</summary>
    private static async Task<Ok<V3AppResource>> StartAsync(string guid, HttpContext http, IGrainFactory grains, PlatformCatalog platform)
    {
        var grain = App(grains, guid);
        if ((await grain.GetAsync()).CurrentDropletGuid is null)
        {
            throw CloudControllerException.Unprocessable("Assign a droplet before starting this app.");
        }

        http.Carry();
        var app = await grain.SetStateAsync(AppState.Started);
        await FirstInstanceAsync(grain, app, http.RequestAborted);
        return TypedResults.Ok(V3AppResource.From(app, platform, http.BaseUrlOf()));
    }

    /// <summary>
    /// Waits (at most 2 s) for the first web instance to run or crash: the cf CLI looks at the stats at once, then every
    /// 3 s, so an instance up within the wait is seen on that first look.
    /// </summary>
    private static Task FirstInstanceAsync(IAppGrain grain, AppSnapshot app, CancellationToken cancellationToken) =>
        app.Instances == 0
            ? Task.CompletedTask
            : Settle.UntilAsync(() => grain.InstancesAsync(AppProcess.Web),
                r => r.Instances.Any(i => i.State is GrainInterfaces.Runtime.InstanceStates.Running or GrainInterfaces.Runtime.InstanceStates.Crashed),
                TimeSpan.FromSeconds(2), cancellationToken);

    private static async Task<Ok<V3AppResource>> StopAsync(string guid, HttpContext http, IGrainFactory grains, PlatformCatalog platform)
    {
        http.Carry();
        var app = await App(grains, guid).SetStateAsync(AppState.Stopped);
        return TypedResults.Ok(V3AppResource.From(app, platform, http.BaseUrlOf()));
    }

    /// <summary>Stop, then start: the instances come back on the current droplet (which must exist).</summary>
    private static async Task<Ok<V3AppResource>> RestartAsync(string guid, HttpContext http, IGrainFactory grains, PlatformCatalog platform)
    {
        var grain = App(grains, guid);
        if ((await grain.GetAsync()).CurrentDropletGuid is null)
        {
            throw CloudControllerException.Unprocessable("Assign a droplet before starting this app.");
        }

        http.Carry();
        await grain.SetStateAsync(AppState.Stopped);
        var app = await grain.SetStateAsync(AppState.Started);
        await FirstInstanceAsync(grain, app, http.RequestAborted);
        return TypedResults.Ok(V3AppResource.From(app, platform, http.BaseUrlOf()));
    }

    /// <summary>The spaces (and their organizations) of a page of apps, each loaded once.</summary>
    private static async Task<IReadOnlyDictionary<string, IReadOnlyList<object>>> IncludedAsync(
        IGrainFactory grains, IReadOnlyList<AppSnapshot> apps, System.Collections.Immutable.ImmutableArray<string> include, string url)
    {
        var spaces = (await Task.WhenAll(apps.Select(a => a.SpaceGuid).Distinct().Select(s => grains.GetGrain<ISpaceGrain>(s).FindAsync())))
            .OfType<SpaceSnapshot>().ToList();
        var included = new Dictionary<string, IReadOnlyList<object>> { ["spaces"] = [.. spaces.Select(s => (object)V3Space.From(s, url))] };
        if (include.Contains("space.organization"))
        {
            var orgs = await Task.WhenAll(spaces.Select(s => s.OrganizationGuid).Distinct()
                .Select(o => grains.GetGrain<GrainInterfaces.Organizations.IOrganizationGrain>(o).FindAsync()));
            included["organizations"] = [.. orgs.OfType<GrainInterfaces.Organizations.OrganizationSnapshot>().Select(o => (object)V3Organization.From(o, url))];
        }

        return included;
    }

    /// <summary>The body's <c>metadata</c>, when it has one (read from the body the typed record was bound from).</summary>
    private static GrainInterfaces.Metadata.MetadataPatch? Metadata(HttpContext http) =>
        http.Features.Get<RequestBodyFeature>() is { } body ? MetadataRequest.Read(body.Body) : null;

    private static async Task<Ok<V3AppEnv>> EnvAsync(string guid, HttpContext http, IGrainFactory grains, Hosting.BaseUrl baseUrl)
    {
        var app = await App(grains, guid).GetAsync();
        return TypedResults.Ok(new V3AppEnv(
            AppEntity.Environment(app), await EnvironmentGroupsEndpoints.VariablesAsync(grains, "staging"), await EnvironmentGroupsEndpoints.VariablesAsync(grains, "running"), AppEnvironment.System(),
            await AppEnvironment.ApplicationAsync(grains, app, baseUrl.Of(http))));
    }

    private static IAppGrain App(IGrainFactory grains, string guid) =>
        grains.GetGrain<IAppGrain>(RouteGuid.Parse(guid, CloudControllerException.AppNotFound));

    /// <summary>The lifecycle, when the body has one: type buildpack (data: buildpack, stack) or docker (needs diego_docker).</summary>
    private static async Task<(string? Buildpack, Guid Stack)?> LifecycleAsync(V3AppRequest body, IGrainFactory grains, PlatformCatalog platform)
    {
        if (body.Lifecycle.Value is not { } lifecycle)
        {
            return null;
        }

        if (lifecycle.Type is not ("buildpack" or "docker"))
        {
            throw V3AppRequest.LifecycleTypeInvalid();
        }

        if (lifecycle.Data is not { ValueKind: JsonValueKind.Object } data)
        {
            throw CloudControllerException.Unprocessable("Lifecycle data must be a hash");
        }

        if (lifecycle.Type == "docker")
        {
            throw new CloudControllerException(CfErrorCode.FeatureDisabled, "Feature Disabled: diego_docker");
        }

        var fields = RequestBody.Bind<V3BuildpackLifecycleData>(data)
            ?? throw CloudControllerException.Unprocessable("Lifecycle data may hold only buildpacks (a list of strings) and a stack (a string)");
        if (fields.Buildpacks is { Count: > 1 })
        {
            throw CloudControllerException.Unprocessable("Lifecycle buildpacks may name one buildpack: multi-buildpack staging is not supported here");
        }

        var buildpack = fields.Buildpacks is { } list ? (list.Count > 0 ? list[0] : null) : fields.Buildpack;
        if (buildpack is not null && (buildpack.Length is 0 or > 4096 || !await BuildpackNames.IsValidAsync(grains, buildpack)))
        {
            throw CloudControllerException.Unprocessable("Lifecycle buildpack must be an existing admin buildpack or a valid git URI");
        }

        var stackName = fields.Stack;
        var stack = stackName is null ? platform.DefaultStack : platform.Stacks.FirstOrDefault(s => s.Name == stackName)
            ?? throw CloudControllerException.Unprocessable($"Lifecycle stack '{stackName}' does not exist");
        return (buildpack, stack.Guid);
    }
}

/// <summary><c>GET /v3/apps/:guid/env</c>.</summary>
internal sealed record V3AppEnv(
    JsonElement EnvironmentVariables,
    JsonElement StagingEnvJson,
    JsonElement RunningEnvJson,
    IReadOnlyDictionary<string, object> SystemEnvJson,
    IReadOnlyDictionary<string, object> ApplicationEnvJson);
