using System.Collections.Immutable;
using System.Text.Json.Nodes;
using CloudController.Api.Auth;
using CloudController.Api.Hosting;
using CloudController.Api.Json;
using CloudController.Api.Paging;
using CloudController.Api.Resources;
using CloudController.GrainInterfaces.Lists;
using CloudController.GrainInterfaces.Access;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Organizations;
using CloudController.GrainInterfaces.Spaces;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CloudController.Api.Endpoints;

/// <summary>v2 spaces (create, read, list, update, delete, per organization) and v3 spaces (read, list).</summary>
internal static class SpacesEndpoints
{
    private static readonly string[] V2Filters = ["name", "organization_guid"];
    private static readonly string[] V2Orders = ["name"];
    private static readonly string[] V3Filters = ["names", "guids", "organization_guids", "include"];

    private const string SshDescription = "Enable SSHing into apps in the space.";

    public static IEndpointRouteBuilder MapSpaces(this IEndpointRouteBuilder routes)
    {
        var v2 = routes.MapGroup("/v2/spaces");
        v2.MapPost("/", CreateAsync).Unguarded("checks that the caller manages the body's organization");
        v2.MapGet("/", ListAsync).Unguarded("lists the caller's spaces only");
        v2.MapGet("/{guid}", GetAsync).Guard(AccessKind.Space, AccessNeed.Read);
        v2.MapPut("/{guid}", UpdateAsync).Guard(AccessKind.Space, AccessNeed.ManageSpace);
        v2.MapDelete("/{guid}", DeleteAsync).Guard(AccessKind.Space, AccessNeed.ManageOrganization);
        v2.MapGet("/{guid}/summary", SummaryAsync).Guard(AccessKind.Space, AccessNeed.Read);
        routes.MapGet("/v2/organizations/{guid}/spaces", ListInOrganizationAsync).Guard(AccessKind.Organization, AccessNeed.Read);

        var v3 = routes.MapGroup("/v3/spaces");
        v3.MapGet("/", ListV3Async).Unguarded("lists the caller's spaces only");
        v3.MapGet("/{guid}", GetV3Async).Guard(AccessKind.Space, AccessNeed.Read);
        v3.MapPost("/", CreateV3Async).Unguarded("checks that the caller manages the body's organization");
        v3.MapPatch("/{guid}", UpdateV3Async).Guard(AccessKind.Space, AccessNeed.ManageSpace);
        v3.MapDelete("/{guid}", DeleteV3Async).Guard(AccessKind.Space, AccessNeed.ManageOrganization);

        v3.MapGet("/{guid}/features", FeaturesV3Async).Guard(AccessKind.Space, AccessNeed.Read);
        v3.MapGet("/{guid}/features/{name}", FeatureV3Async).Guard(AccessKind.Space, AccessNeed.Read);
        v3.MapPatch("/{guid}/features/{name}", SetFeatureV3Async).Guard(AccessKind.Space, AccessNeed.ManageSpace);
        v3.MapDelete("/{guid}/routes", DeleteUnmappedRoutesV3Async).Guard(AccessKind.Space, AccessNeed.Develop);
        return routes;
    }

    private static async Task<Created<V2Resource<SpaceEntity>>> CreateAsync(HttpContext http, IGrainFactory grains)
    {
        var body = await JsonBody.ReadObjectAsync(http.Request, JsonFieldErrors.V2);
        var name = body.RequiredString("name");
        var org = body.RequiredGuid("organization_guid", UnknownOrganization);
        await http.RequireAsync(AccessKind.Organization, org, AccessNeed.ManageOrganization);
        if (body.OptionalString("space_quota_definition_guid") is { } quota)
        {
            // No space quotas exist here, so any guid names nothing.
            throw new CloudControllerException(CfErrorCode.InvalidRelation,
                $"Could not find VCAP::CloudController::SpaceQuotaDefinition with guid: {quota}");
        }

        http.Carry(Audit.Node(body.Root));
        var space = await grains.GetGrain<ISpaceGrain>(Guid.NewGuid())
            .CreateAsync(new CreateSpace(name, org, body.OptionalBool("allow_ssh") ?? true, null));
        var resource = SpaceEntity.Resource(space);
        return TypedResults.Created(resource.Metadata.Url, resource);
    }

    private static async Task<Ok<V2Resource<SpaceEntity>>> GetAsync(string guid, IGrainFactory grains) =>
        TypedResults.Ok(SpaceEntity.Resource(await Grain(grains, guid).GetAsync()));

    private static Task<Ok<V2Page<SpaceEntity>>> ListAsync(HttpContext http, IGrainFactory grains)
    {
        var query = V2ListQuery.Parse(http.Request.Query, V2Filters, V2Orders);
        return ListV2Async(http, grains, query, query.GuidsOf("organization_guid"));
    }

    private static async Task<Ok<V2Page<SpaceEntity>>> ListInOrganizationAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var org = await grains.GetGrain<IOrganizationGrain>(RouteGuid.Parse(guid, CloudControllerException.OrganizationNotFound)).GetAsync();
        return await ListV2Async(http, grains, V2ListQuery.Parse(http.Request.Query, ["name"], V2Orders), [org.Guid]);
    }

    private static async Task<Ok<V2Page<SpaceEntity>>> ListV2Async(HttpContext http, IGrainFactory grains, V2ListQuery query, ImmutableArray<Guid> organizations)
    {
        var page = await grains.Lists().SpacesAsync(http.ListCaller(), new ListFilter { Names = query.ValuesOf("name"), OrganizationGuids = organizations }, query.Window);
        return TypedResults.Ok(V2Page<SpaceEntity>.Create(
            http.Request.Path, query, page.TotalResults, [.. page.Items.Select(SpaceEntity.Resource)]));
    }

    private static async Task<JsonHttpResult<V2Resource<SpaceEntity>>> UpdateAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var grain = Grain(grains, guid);
        var body = await JsonBody.ReadObjectAsync(http.Request, JsonFieldErrors.V2, emptyIsObject: true);
        http.Carry(Audit.Node(body.Root));
        var space = await grain.UpdateAsync(new UpdateSpace(body.OptionalString("name"), body.OptionalBool("allow_ssh")));
        return TypedResults.Json(SpaceEntity.Resource(space), CfJson.Options, statusCode: 201);
    }

    private static async Task<IResult> DeleteAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var grain = Grain(grains, guid);
        if (AsyncDeletion.Recursive(http))
        {
            var space = await grain.GetAsync();
            return await AsyncDeletion.AnswerJobAsync(http, grains, await AsyncDeletion.StartAsync(http, grains, GrainInterfaces.Jobs.JobKind.DeleteSpace, space.Guid));
        }

        http.Carry(new JsonObject { ["recursive"] = false });
        await grain.DeleteAsync();
        return AsyncDeletion.Answer(http);
    }

    private static async Task<Ok<V3Space>> GetV3Async(string guid, HttpContext http, IGrainFactory grains, BaseUrl baseUrl) =>
        TypedResults.Ok(V3Space.From(await Grain(grains, guid).GetAsync(), baseUrl.Of(http)));

    private static async Task<Ok<V3Page<V3Space>>> ListV3Async(HttpContext http, IGrainFactory grains, BaseUrl baseUrl)
    {
        var query = V3ListQuery.Parse(http.Request.Query, V3Filters);
        var page = await grains.Lists().SpacesAsync(http.ListCaller(), new ListFilter
        {
            Names = query.ValuesOf("names"),
            Guids = query.GuidsOf("guids"),
            OrganizationGuids = query.GuidsOf("organization_guids"),
        }, query.Window);
        var url = baseUrl.Of(http);
        var result = V3Page<V3Space>.Create(url, http.Request.Path, query, page.TotalResults, [.. page.Items.Select(s => V3Space.From(s, url))]);
        if (query.ValuesOf("include") is { IsEmpty: false } include)
        {
            if (include.Any(i => i != "organization"))
            {
                throw CloudControllerException.BadQuery("Invalid included resource: 'include' may be 'organization'");
            }

            var orgs = await Task.WhenAll(page.Items.Select(s => s.OrganizationGuid).Distinct()
                .Select(o => grains.GetGrain<GrainInterfaces.Organizations.IOrganizationGrain>(o).FindAsync()));
            result = result with
            {
                Included = new Dictionary<string, IReadOnlyList<object>>
                {
                    ["organizations"] = [.. orgs.OfType<GrainInterfaces.Organizations.OrganizationSnapshot>().Select(o => (object)V3Organization.From(o, url))],
                },
            };
        }

        return TypedResults.Ok(result);
    }

    /// <summary>
    /// <c>POST /v3/spaces</c>: <c>name</c>, <c>relationships.organization</c>, <c>metadata</c>; admins and the organization's
    /// managers. CC assigns no roles (the cf CLI grants them next).
    /// </summary>
    private static async Task<IResult> CreateV3Async(HttpContext http, IGrainFactory grains, BaseUrl baseUrl)
    {
        var body = await V3Body.ReadAsync(http.Request, "name", "relationships", "metadata");
        var name = OrganizationsEndpoints.V3Name(body) ?? throw CloudControllerException.Unprocessable("Name can't be blank");
        var org = body.Relationship("organization", InvalidOrganization) ?? throw InvalidOrganization();
        await http.RequireNamedAsync(AccessKind.Organization, org, AccessNeed.ManageOrganization, InvalidOrganization);

        http.Carry(Audit.Node(body.Root));
        try
        {
            var space = await grains.GetGrain<ISpaceGrain>(Guid.NewGuid()).CreateAsync(new CreateSpace(name, org, true, null) { Metadata = body.Metadata });
            return TypedResults.Json(V3Space.From(space, baseUrl.Of(http)), CfJson.Options, statusCode: 201);
        }
        catch (CloudControllerException e) when (e.Code == CfErrorCode.InvalidRelation)
        {
            throw InvalidOrganization();
        }
        catch (CloudControllerException e) when (e.Code == CfErrorCode.SpaceNameTaken)
        {
            throw CloudControllerException.Unprocessable("Name must be unique per organization");
        }
    }

    private static async Task<Ok<V3Space>> UpdateV3Async(string guid, HttpContext http, IGrainFactory grains, BaseUrl baseUrl)
    {
        var body = await V3Body.ReadAsync(http.Request, "name", "metadata");
        var name = OrganizationsEndpoints.V3Name(body);
        http.Carry(Audit.Node(body.Root));
        try
        {
            return TypedResults.Ok(V3Space.From(await Grain(grains, guid).UpdateAsync(new UpdateSpace(name, null) { Metadata = body.Metadata }), baseUrl.Of(http)));
        }
        catch (CloudControllerException e) when (e.Code == CfErrorCode.SpaceNameTaken)
        {
            throw CloudControllerException.Unprocessable("Name must be unique per organization");
        }
    }

    /// <summary><c>DELETE /v3/spaces/:guid</c>: a durable job deletes its apps, routes and roles, then it.</summary>
    private static async Task<IResult> DeleteV3Async(string guid, HttpContext http, IGrainFactory grains)
    {
        var space = await Grain(grains, guid).GetAsync();
        return await JobsEndpoints.AcceptedAsync(http, grains, GrainInterfaces.Jobs.JobKind.DeleteSpace, space.Guid);
    }

    /// <summary><c>DELETE /v3/spaces/:guid/routes?unmapped=true</c>: a job deletes the space's routes no app is mapped to.</summary>
    private static async Task<IResult> DeleteUnmappedRoutesV3Async(string guid, HttpContext http, IGrainFactory grains)
    {
        var space = await Grain(grains, guid).GetAsync();
        if (!string.Equals(http.Request.Query["unmapped"], "true", StringComparison.Ordinal))
        {
            throw CloudControllerException.Unprocessable("Mass delete not supported for routes. Use 'unmapped' parameter instead.");
        }

        return await JobsEndpoints.AcceptedAsync(http, grains, GrainInterfaces.Jobs.JobKind.DeleteUnmappedRoutes, space.Guid);
    }

    private static async Task<IResult> FeaturesV3Async(string guid, IGrainFactory grains)
    {
        var space = await Grain(grains, guid).GetAsync();
        return TypedResults.Json(new JsonObject { ["resources"] = new JsonArray(SshFeature(space.AllowSsh)) }, CfJson.Options);
    }

    private static async Task<IResult> FeatureV3Async(string guid, string name, IGrainFactory grains)
    {
        var space = await Grain(grains, guid).GetAsync();
        return TypedResults.Json(name == "ssh" ? SshFeature(space.AllowSsh) : throw FeatureNotFound(), CfJson.Options);
    }

    private static async Task<IResult> SetFeatureV3Async(string guid, string name, HttpContext http, IGrainFactory grains)
    {
        var grain = Grain(grains, guid);
        await grain.GetAsync();
        if (name != "ssh")
        {
            throw FeatureNotFound();
        }

        var body = await V3Body.ReadAsync(http.Request, "enabled");
        var enabled = body.Fields.OptionalBool("enabled") ?? throw CloudControllerException.Unprocessable("Enabled must be a boolean");
        http.Carry(Audit.Node(body.Root));
        var space = await grain.UpdateAsync(new UpdateSpace(null, enabled));
        return TypedResults.Json(SshFeature(space.AllowSsh), CfJson.Options);
    }

    private static JsonObject SshFeature(bool enabled) => new() { ["name"] = "ssh", ["description"] = SshDescription, ["enabled"] = enabled };

    private static CloudControllerException FeatureNotFound() => new(CfErrorCode.ResourceNotFound, "Feature not found");

    private static CloudControllerException InvalidOrganization() =>
        CloudControllerException.Unprocessable("Invalid organization. Ensure the organization exists and you have access to it.");

    /// <summary>
    /// The space with every app in it (what <c>cf apps</c> reads): the apps loaded concurrently next to their grains
    /// in one list call, the space's routes with their domains, and for each started app the running instances its
    /// runtime reports. No services exist on this server, so each app's are empty.
    /// </summary>
    private static async Task<JsonHttpResult<JsonObject>> SummaryAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var space = await Grain(grains, guid).GetAsync();
        var appsTask = grains.Lists().AppsAsync(http.ListCaller(), new ListFilter { SpaceGuids = [space.Guid] }, ListWindow.All);
        var routesTask = RouteViews.OfSpaceAsync(grains, space.Guid);
        var (apps, routes) = (await appsTask, await routesTask);
        var byApp = routes.SelectMany(r => r.Route.Apps.Select(app => (App: app, r.Route, r.Domain))).ToLookup(m => m.App);
        var running = (await Task.WhenAll(apps.Items.Where(a => a.State == GrainInterfaces.Apps.AppState.Started)
                .Select(async a => (a.Guid, (await grains.GetGrain<GrainInterfaces.Apps.IAppGrain>(a.Guid).InstancesAsync(GrainInterfaces.Apps.AppProcess.Web)).Running))))
            .ToDictionary(r => r.Guid, r => r.Running);
        var entries = new JsonArray([.. apps.Items.OrderBy(a => a.Name, StringComparer.Ordinal)
            .Select(a => (JsonNode)SpaceSummaryApp(a, http.SeesSecretsOf(a, apps.Visible), [.. byApp[a.Guid].Select(m => (m.Route, m.Domain))],
                running.GetValueOrDefault(a.Guid)))]);
        return TypedResults.Json(new JsonObject
        {
            ["guid"] = space.Guid,
            ["name"] = space.Name,
            ["apps"] = entries,
            ["services"] = new JsonArray(),
        }, CfJson.Options);
    }

    private static JsonObject SpaceSummaryApp(
        GrainInterfaces.Apps.AppSnapshot app, bool seesEnvironment, IReadOnlyList<(GrainInterfaces.Routes.RouteSnapshot Route, GrainInterfaces.Domains.DomainSnapshot Domain)> routes,
        int running) => AppSummary.WithEntity(new JsonObject
    {
        ["guid"] = app.Guid,
        ["urls"] = new JsonArray([.. routes.Select(r => (JsonNode)JsonValue.Create(RouteViews.Url(r.Route, r.Domain.Name)))]),
        ["routes"] = new JsonArray([.. routes.Select(r => (JsonNode)RouteViews.Summary(r.Route, r.Domain))]),
        ["service_count"] = 0,
        ["service_names"] = new JsonArray(),
        ["running_instances"] = running,
    }, app, seesEnvironment);

    private static ISpaceGrain Grain(IGrainFactory grains, string guid) =>
        grains.GetGrain<ISpaceGrain>(RouteGuid.Parse(guid, CloudControllerException.SpaceNotFound));

    private static CloudControllerException UnknownOrganization(string guid) =>
        new(CfErrorCode.InvalidRelation, $"Could not find VCAP::CloudController::Organization with guid: {guid}");
}
