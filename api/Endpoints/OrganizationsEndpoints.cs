using CloudController.Api.Auth;
using CloudController.Api.Hosting;
using CloudController.Api.Json;
using CloudController.Api.Paging;
using CloudController.Api.Platform;
using CloudController.Api.Resources;
using CloudController.GrainInterfaces.Lists;
using CloudController.GrainInterfaces.Access;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Organizations;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CloudController.Api.Endpoints;

/// <summary>v2 organizations (create, read, list, update, delete) and v3 organizations (read, list).</summary>
internal static class OrganizationsEndpoints
{
    private static readonly string[] V2Filters = ["name"];
    private static readonly string[] V2Orders = ["name"];
    private static readonly string[] V3Filters = ["names", "guids"];

    public static IEndpointRouteBuilder MapOrganizations(this IEndpointRouteBuilder routes)
    {
        var v2 = routes.MapGroup("/v2/organizations");
        v2.MapPost("/", CreateAsync).Unguarded("admins, or anyone while the user_org_creation feature flag is on");
        v2.MapGet("/", ListAsync).Unguarded("lists the caller's organizations only");
        v2.MapGet("/{guid}", GetAsync).Guard(AccessKind.Organization, AccessNeed.Read);
        v2.MapPut("/{guid}", UpdateAsync).Guard(AccessKind.Organization, AccessNeed.ManageOrganization);
        v2.MapDelete("/{guid}", DeleteAsync).RequireCf(CfAccess.Admin).Unguarded("admins only");

        var v3 = routes.MapGroup("/v3/organizations");
        v3.MapGet("/", ListV3Async).Unguarded("lists the caller's organizations only");
        v3.MapGet("/{guid}", GetV3Async).Guard(AccessKind.Organization, AccessNeed.Read);
        v3.MapPost("/", CreateV3Async).Unguarded("admins, or anyone while the user_org_creation feature flag is on");

        // The cf CLI sends PATCH and DELETE with a trailing slash (/v3/organizations/<guid>/): routing matches both forms.
        v3.MapPatch("/{guid}", UpdateV3Async).Guard(AccessKind.Organization, AccessNeed.ManageOrganization);
        v3.MapDelete("/{guid}", DeleteV3Async).RequireCf(CfAccess.Admin).Unguarded("admins only");

        v3.MapGet("/{guid}/domains", DomainsV3Async).Guard(AccessKind.Organization, AccessNeed.Read);
        v3.MapGet("/{guid}/domains/default", DefaultDomainV3Async).Guard(AccessKind.Organization, AccessNeed.Read);
        v3.MapGet("/{guid}/usage_summary", UsageSummaryV3Async).Guard(AccessKind.Organization, AccessNeed.Read);
        return routes;
    }

    private static async Task<Created<V2Resource<OrganizationEntity>>> CreateAsync(HttpContext http, IGrainFactory grains, PlatformCatalog platform, PlatformSeed seed)
    {
        await RequireOrgCreationAsync(http, grains);
        var body = await JsonBody.ReadObjectAsync(http.Request, JsonFieldErrors.V2);
        var command = new CreateOrganization(
            body.RequiredString("name"),
            body.OptionalBool("billing_enabled") ?? false,
            body.OptionalString("status") ?? "active",
            await QuotaGuidAsync(body, grains, seed) ?? platform.DefaultQuotaDefinitionGuid);
        http.Carry(Audit.Node(body.Root));
        var org = await grains.GetGrain<IOrganizationGrain>(Guid.NewGuid()).CreateAsync(command);
        await RolesEndpoints.GrantCreatorAsync(http, grains, org.Guid);
        var resource = OrganizationEntity.Resource(org);
        return TypedResults.Created(resource.Metadata.Url, resource);
    }

    private static async Task<Ok<V2Resource<OrganizationEntity>>> GetAsync(string guid, IGrainFactory grains) =>
        TypedResults.Ok(OrganizationEntity.Resource(await Grain(grains, guid).GetAsync()));

    private static async Task<Ok<V2Page<OrganizationEntity>>> ListAsync(HttpContext http, IGrainFactory grains)
    {
        var query = V2ListQuery.Parse(http.Request.Query, V2Filters, V2Orders);
        var page = await grains.Lists().OrganizationsAsync(http.ListCaller(), new ListFilter { Names = query.ValuesOf("name") }, query.Window);
        return TypedResults.Ok(V2Page<OrganizationEntity>.Create(
            http.Request.Path, query, page.TotalResults, [.. page.Items.Select(OrganizationEntity.Resource)]));
    }

    private static async Task<JsonHttpResult<V2Resource<OrganizationEntity>>> UpdateAsync(
        string guid, HttpContext http, IGrainFactory grains, PlatformSeed seed)
    {
        var grain = Grain(grains, guid);
        var body = await JsonBody.ReadObjectAsync(http.Request, JsonFieldErrors.V2, emptyIsObject: true);
        if (!http.CfUser()!.IsAdmin && body.Root.EnumerateObject().Any(p => p.Name != "name"))
        {
            // Org managers rename; quota, status and billing stay the platform's call.
            throw AccessControl.NotAuthorized();
        }

        var command = new UpdateOrganization(
            body.OptionalString("name"), body.OptionalBool("billing_enabled"), body.OptionalString("status"), await QuotaGuidAsync(body, grains, seed));
        // v2 updates answer 201 Created, as CF does.
        http.Carry(Audit.Node(body.Root));
        var updated = await grain.UpdateAsync(command);
        return TypedResults.Json(OrganizationEntity.Resource(updated), CfJson.Options, statusCode: 201);
    }

    private static async Task<IResult> DeleteAsync(string guid, HttpContext http, IGrainFactory grains)
    {
        var grain = Grain(grains, guid);
        if (AsyncDeletion.Recursive(http))
        {
            var org = await grain.GetAsync();
            return await AsyncDeletion.AnswerJobAsync(http, grains, await AsyncDeletion.StartAsync(http, grains, GrainInterfaces.Jobs.JobKind.DeleteOrganization, org.Guid));
        }

        http.Carry(new System.Text.Json.Nodes.JsonObject { ["recursive"] = false });
        await grain.DeleteAsync();
        return AsyncDeletion.Answer(http);
    }

    private static async Task<Ok<V3Organization>> GetV3Async(string guid, HttpContext http, IGrainFactory grains, BaseUrl baseUrl) =>
        TypedResults.Ok(V3Organization.From(await Grain(grains, guid).GetAsync(), baseUrl.Of(http)));

    private static async Task<Ok<V3Page<V3Organization>>> ListV3Async(HttpContext http, IGrainFactory grains, BaseUrl baseUrl)
    {
        var query = V3ListQuery.Parse(http.Request.Query, V3Filters);
        var page = await grains.Lists().OrganizationsAsync(
            http.ListCaller(), new ListFilter { Names = query.ValuesOf("names"), Guids = query.GuidsOf("guids") }, query.Window);
        var url = baseUrl.Of(http);
        return TypedResults.Ok(V3Page<V3Organization>.Create(
            url, http.Request.Path, query, page.TotalResults, [.. page.Items.Select(o => V3Organization.From(o, url))]));
    }

    /// <summary>
    /// <c>POST /v3/organizations</c>: <c>name</c>, <c>suspended</c>, <c>metadata</c>. Admins, or anyone while
    /// <c>user_org_creation</c> is on (a non-admin creator becomes its user and manager); the default quota applies.
    /// </summary>
    private static async Task<IResult> CreateV3Async(HttpContext http, IGrainFactory grains, PlatformCatalog platform, PlatformSeed seed, BaseUrl baseUrl)
    {
        await RequireOrgCreationAsync(http, grains);
        var body = await V3Body.ReadAsync(http.Request, "name", "suspended", "metadata");
        var name = V3Name(body) ?? throw CloudControllerException.Unprocessable("Name can't be blank");
        var command = new CreateOrganization(name, false, body.Fields.OptionalBool("suspended") == true ? "suspended" : "active", platform.DefaultQuotaDefinitionGuid)
        {
            Metadata = body.Metadata,
        };
        await seed.EnsureAsync();
        http.Carry(Audit.Node(body.Root));
        OrganizationSnapshot org;
        try
        {
            org = await grains.GetGrain<IOrganizationGrain>(Guid.NewGuid()).CreateAsync(command);
        }
        catch (CloudControllerException e) when (e.Code == CfErrorCode.OrganizationNameTaken)
        {
            throw CloudControllerException.Unprocessable($"Organization '{name}' already exists.");
        }

        if (!http.CfUser()!.IsAdmin)
        {
            await RolesEndpoints.GrantCreatorAsync(http, grains, org.Guid);
        }

        return TypedResults.Json(V3Organization.From(org, baseUrl.Of(http)), CfJson.Options, statusCode: 201);
    }

    /// <summary><c>PATCH /v3/organizations/:guid</c>: <c>name</c> and <c>metadata</c> for its managers; <c>suspended</c> for admins.</summary>
    private static async Task<Ok<V3Organization>> UpdateV3Async(string guid, HttpContext http, IGrainFactory grains, BaseUrl baseUrl)
    {
        var grain = Grain(grains, guid);
        var body = await V3Body.ReadAsync(http.Request, "name", "suspended", "metadata");
        var suspended = body.Fields.OptionalBool("suspended");
        if (suspended is not null && !http.CfUser()!.IsAdmin)
        {
            throw AccessControl.NotAuthorized();
        }

        var name = V3Name(body);
        http.Carry(Audit.Node(body.Root));
        try
        {
            var org = await grain.UpdateAsync(new UpdateOrganization(name, null, suspended is { } s ? (s ? "suspended" : "active") : null, null) { Metadata = body.Metadata });
            return TypedResults.Ok(V3Organization.From(org, baseUrl.Of(http)));
        }
        catch (CloudControllerException e) when (e.Code == CfErrorCode.OrganizationNameTaken)
        {
            throw CloudControllerException.Unprocessable($"Organization '{name}' already exists.");
        }
    }

    /// <summary><c>DELETE /v3/organizations/:guid</c>: a durable job deletes its spaces, apps, routes, private domains and roles, then it.</summary>
    private static async Task<IResult> DeleteV3Async(string guid, HttpContext http, IGrainFactory grains)
    {
        var org = await Grain(grains, guid).GetAsync();
        return await JobsEndpoints.AcceptedAsync(http, grains, GrainInterfaces.Jobs.JobKind.DeleteOrganization, org.Guid);
    }

    /// <summary>The domains an organization's routes may use: every shared domain and its own private ones.</summary>
    private static async Task<Ok<V3Page<V3Domain>>> DomainsV3Async(string guid, HttpContext http, IGrainFactory grains, PlatformSeed seed, BaseUrl baseUrl)
    {
        await seed.EnsureAsync();
        var org = await Grain(grains, guid).GetAsync();
        var query = V3ListQuery.Parse(http.Request.Query, ["names", "guids", "label_selector"]);
        var page = await grains.Lists().DomainsAsync(ListCaller.Everything,
            new ListFilter { OrganizationGuids = [org.Guid], Names = query.ValuesOf("names"), Guids = query.GuidsOf("guids") }, query.Window);
        var url = baseUrl.Of(http);
        return TypedResults.Ok(V3Page<V3Domain>.Create(url, http.Request.Path, query, page.TotalResults, [.. page.Items.Select(d => V3Domain.From(d, url))]));
    }

    /// <summary>The first non-internal shared domain, else the organization's first private one; 404 when there is none.</summary>
    private static async Task<Ok<V3Domain>> DefaultDomainV3Async(string guid, HttpContext http, IGrainFactory grains, PlatformSeed seed, BaseUrl baseUrl)
    {
        await seed.EnsureAsync();
        var org = await Grain(grains, guid).GetAsync();
        var all = (await grains.Lists().DomainsAsync(ListCaller.Everything, new ListFilter { OrganizationGuids = [org.Guid] }, ListWindow.All)).Items;
        var chosen = all.FirstOrDefault(d => d.Shared && !d.Internal) ?? all.FirstOrDefault(d => !d.Shared)
            ?? throw new CloudControllerException(CfErrorCode.ResourceNotFound, "Domain not found");
        return TypedResults.Ok(V3Domain.From(chosen, baseUrl.Of(http)));
    }

    /// <summary>What an organization's apps use now, from its usage ledger: started instances and their memory.</summary>
    private static async Task<IResult> UsageSummaryV3Async(string guid, HttpContext http, IGrainFactory grains, BaseUrl baseUrl)
    {
        var org = await Grain(grains, guid).GetAsync();
        var usage = await grains.GetGrain<GrainInterfaces.Quotas.IOrganizationUsageGrain>(org.Guid).UsageAsync();
        var url = baseUrl.Of(http);
        return TypedResults.Json(new System.Text.Json.Nodes.JsonObject
        {
            ["usage_summary"] = new System.Text.Json.Nodes.JsonObject
            {
                ["started_instances"] = usage.StartedInstances,
                ["memory_in_mb"] = usage.MemoryInMb,
                ["routes"] = usage.Routes,
                ["service_instances"] = 0,
                ["reserved_ports"] = 0,
                ["domains"] = usage.PrivateDomains,
                ["per_app_tasks"] = 0,
                ["service_keys"] = 0,
            },
            ["links"] = new System.Text.Json.Nodes.JsonObject
            {
                ["self"] = new System.Text.Json.Nodes.JsonObject { ["href"] = $"{url}/v3/organizations/{org.Guid}/usage_summary" },
                ["organization"] = new System.Text.Json.Nodes.JsonObject { ["href"] = $"{url}/v3/organizations/{org.Guid}" },
            },
        }, CfJson.Options);
    }

    /// <summary>Admins create organizations; others only while the <c>user_org_creation</c> feature flag is on (else 403 NotAuthorized, as CC answers).</summary>
    private static async Task RequireOrgCreationAsync(HttpContext http, IGrainFactory grains)
    {
        if (!http.CfUser()!.IsAdmin && !await FeatureFlagsEndpoints.EnabledAsync(grains, GrainInterfaces.Config.FeatureFlags.UserOrgCreation))
        {
            throw AccessControl.NotAuthorized();
        }
    }

    /// <summary>A v3 <c>name</c>: a string of 1 to 255 characters, or null when absent.</summary>
    internal static string? V3Name(V3Body body)
    {
        if (!body.Has("name"))
        {
            return null;
        }

        var name = body.Root.GetProperty("name") is { ValueKind: System.Text.Json.JsonValueKind.String } n ? n.GetString()! : throw CloudControllerException.Unprocessable("Name must be a string");
        return name.Length switch
        {
            0 => throw CloudControllerException.Unprocessable("Name can't be blank"),
            > 255 => throw CloudControllerException.Unprocessable("Name is too long (maximum is 255 characters)"),
            _ => name,
        };
    }

    private static IOrganizationGrain Grain(IGrainFactory grains, string guid) =>
        grains.GetGrain<IOrganizationGrain>(RouteGuid.Parse(guid, CloudControllerException.OrganizationNotFound));

    private static async Task<Guid?> QuotaGuidAsync(JsonFields body, IGrainFactory grains, PlatformSeed seed)
    {
        await seed.EnsureAsync();
        var quota = body.OptionalGuid("quota_definition_guid", UnknownQuota);
        return quota is null || await grains.GetGrain<GrainInterfaces.Quotas.IQuotaDefinitionGrain>(quota.Value).FindAsync() is not null
            ? quota
            : throw UnknownQuota(quota.Value.ToString());
    }

    private static CloudControllerException UnknownQuota(string guid) =>
        new(CfErrorCode.InvalidRelation, $"Could not find VCAP::CloudController::QuotaDefinition with guid: {guid}");
}
