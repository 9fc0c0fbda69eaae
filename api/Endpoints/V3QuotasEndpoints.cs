using System.Text.Json;
using System.Text.Json.Nodes;
using CloudController.Api.Auth;
using CloudController.Api.Hosting;
using CloudController.Api.Json;
using CloudController.Api.Paging;
using CloudController.Api.Platform;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Lists;
using CloudController.GrainInterfaces.Organizations;
using CloudController.GrainInterfaces.Quotas;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CloudController.Api.Endpoints;

/// <summary>
/// v3 organization quotas: the quota definitions v2's <c>/v2/quota_definitions</c> shows, in v3's grouped shape (null is
/// unlimited), with the organizations each applies to (a list each organization keeps itself in).
/// </summary>
internal static class V3QuotasEndpoints
{
    /// <summary>At most this many organizations per apply request.</summary>
    private const int MaxApplied = 200;

    public static IEndpointRouteBuilder MapV3Quotas(this IEndpointRouteBuilder routes)
    {
        var quotas = routes.MapGroup("/v3/organization_quotas");
        quotas.MapGet("/", ListAsync).Unguarded("quota definitions are visible to every user; organizations shown are the caller's");
        quotas.MapGet("/{guid}", GetAsync).Unguarded("quota definitions are visible to every user; organizations shown are the caller's");
        quotas.MapPost("/", CreateAsync).RequireCf(CfAccess.Admin).Unguarded("admins only");
        quotas.MapPatch("/{guid}", UpdateAsync).RequireCf(CfAccess.Admin).Unguarded("admins only");
        quotas.MapDelete("/{guid}", DeleteAsync).RequireCf(CfAccess.Admin).Unguarded("admins only");
        quotas.MapPost("/{guid}/relationships/organizations", ApplyAsync).RequireCf(CfAccess.Admin).Unguarded("admins only");
        return routes;
    }

    private static async Task<Ok<V3Page<JsonObject>>> ListAsync(HttpContext http, IGrainFactory grains, PlatformSeed seed, BaseUrl baseUrl)
    {
        await seed.EnsureAsync();
        var query = V3ListQuery.Parse(http.Request.Query, ["guids", "names", "organization_guids"]);
        var guids = query.GuidsOf("guids");
        if (query.GuidsOf("organization_guids") is { IsEmpty: false } orgs)
        {
            var applied = (await Task.WhenAll(orgs.Distinct().Select(o => grains.GetGrain<IOrganizationGrain>(o).QuotaDefinitionAsync()))).OfType<Guid>().ToList();
            guids = guids.IsDefaultOrEmpty ? [.. applied.Distinct()] : [.. guids.Intersect(applied)];
            if (guids.IsEmpty)
            {
                return TypedResults.Ok(V3Page<JsonObject>.Create(baseUrl.Of(http), http.Request.Path, query, 0, []));
            }
        }

        var page = await grains.Lists().QuotasAsync(new ListFilter { Names = query.ValuesOf("names"), Guids = guids }, query.Window);
        var url = baseUrl.Of(http);
        var rendered = await Task.WhenAll(page.Items.Select(q => RenderAsync(http, grains, q, url)));
        return TypedResults.Ok(V3Page<JsonObject>.Create(url, http.Request.Path, query, page.TotalResults, rendered));
    }

    private static async Task<IResult> GetAsync(string guid, HttpContext http, IGrainFactory grains, PlatformSeed seed, BaseUrl baseUrl)
    {
        await seed.EnsureAsync();
        return TypedResults.Json(await RenderAsync(http, grains, await FindAsync(grains, guid), baseUrl.Of(http)), CfJson.Options);
    }

    /// <summary>
    /// <c>POST /v3/organization_quotas</c>: <c>name</c>, the <c>apps</c>, <c>services</c>, <c>routes</c> and <c>domains</c>
    /// groups (integers of at least 0, or null for unlimited; unnamed limits are unlimited, paid services allowed) and
    /// <c>relationships.organizations</c> to apply it to.
    /// </summary>
    private static async Task<IResult> CreateAsync(HttpContext http, IGrainFactory grains, BaseUrl baseUrl)
    {
        var body = await V3Body.ReadAsync(http.Request, "name", "apps", "services", "routes", "domains", "relationships");
        var name = OrganizationsEndpoints.V3Name(body) ?? throw CloudControllerException.Unprocessable("Name can't be blank");
        var limits = Apply(new QuotaLimits(name, true, -1, -1, -1, -1, -1, -1, -1, -1, -1), body);
        var orgs = Organizations(body);
        QuotaSnapshot quota;
        try
        {
            quota = await grains.GetGrain<IQuotaDefinitionGrain>(Guid.NewGuid()).CreateAsync(limits);
        }
        catch (CloudControllerException e) when (e.Code == CfErrorCode.QuotaDefinitionNameTaken)
        {
            throw CloudControllerException.Unprocessable($"Organization Quota '{name}' already exists.");
        }

        await ApplyToAsync(grains, quota.Guid, orgs);
        return TypedResults.Json(await RenderAsync(http, grains, quota, baseUrl.Of(http)), CfJson.Options, statusCode: 201);
    }

    private static async Task<IResult> UpdateAsync(string guid, HttpContext http, IGrainFactory grains, BaseUrl baseUrl)
    {
        var current = await FindAsync(grains, guid);
        var body = await V3Body.ReadAsync(http.Request, "name", "apps", "services", "routes", "domains");
        var name = OrganizationsEndpoints.V3Name(body);
        var next = Apply(current.Limits with { Name = name ?? current.Limits.Name }, body);
        try
        {
            var quota = await grains.GetGrain<IQuotaDefinitionGrain>(current.Guid).UpdateAsync(new QuotaChanges(
                next.Name, next.NonBasicServicesAllowed, next.TotalServices, next.TotalRoutes, next.TotalPrivateDomains, next.MemoryLimit,
                next.InstanceMemoryLimit, next.AppInstanceLimit, next.AppTaskLimit, next.TotalServiceKeys, next.TotalReservedRoutePorts));
            return TypedResults.Json(await RenderAsync(http, grains, quota, baseUrl.Of(http)), CfJson.Options);
        }
        catch (CloudControllerException e) when (e.Code == CfErrorCode.QuotaDefinitionNameTaken)
        {
            throw CloudControllerException.Unprocessable($"Organization Quota '{name}' already exists.");
        }
    }

    /// <summary><c>DELETE</c>: a job removes the quota; one still applied to an organization (or the default) stays.</summary>
    private static async Task<IResult> DeleteAsync(string guid, HttpContext http, IGrainFactory grains, PlatformCatalog platform)
    {
        var quota = await FindAsync(grains, guid);
        if (quota.Guid == platform.DefaultQuotaDefinitionGuid)
        {
            throw CloudControllerException.Unprocessable("The default quota is given to new organizations and cannot be deleted.");
        }

        if ((await grains.Lists().OrganizationsAsync(ListCaller.Everything, new ListFilter { QuotaGuids = [quota.Guid] }, ListWindow.All with { PerPage = 1 })).TotalResults > 0)
        {
            throw CloudControllerException.Unprocessable("This quota is applied to one or more organizations. Apply a different quota to those organizations before deleting it.");
        }

        return await JobsEndpoints.AcceptedAsync(http, grains, GrainInterfaces.Jobs.JobKind.DeleteOrganizationQuota, quota.Guid);
    }

    /// <summary><c>POST .../relationships/organizations {"data":[{"guid":O}]}</c>: applies the quota; answers every organization it applies to.</summary>
    private static async Task<IResult> ApplyAsync(string guid, HttpContext http, IGrainFactory grains, BaseUrl baseUrl)
    {
        var quota = await FindAsync(grains, guid);
        var body = await V3Body.ReadAsync(http.Request, "data");
        var data = body.Root.TryGetProperty("data", out var d) ? d : throw InvalidOrganizations();
        await ApplyToAsync(grains, quota.Guid, V3Body.Guids(data, MaxApplied, InvalidOrganizations));
        var applied = await grains.Lists().OrganizationsAsync(ListCaller.Everything, new ListFilter { QuotaGuids = [quota.Guid] }, ListWindow.All);
        var url = baseUrl.Of(http);
        return TypedResults.Json(new JsonObject
        {
            ["data"] = new JsonArray([.. applied.Items.Select(o => (JsonNode)new JsonObject { ["guid"] = o.Guid })]),
            ["links"] = new JsonObject { ["self"] = new JsonObject { ["href"] = $"{url}/v3/organization_quotas/{quota.Guid}/relationships/organizations" } },
        }, CfJson.Options);
    }

    private static async Task ApplyToAsync(IGrainFactory grains, Guid quota, IReadOnlyList<Guid> organizations)
    {
        foreach (var org in organizations)
        {
            if (await grains.GetGrain<IOrganizationGrain>(org).FindAsync() is null)
            {
                throw CloudControllerException.Unprocessable($"Organizations with guids [\"{org}\"] do not exist, or you do not have access to them.");
            }
        }

        foreach (var org in organizations.Distinct())
        {
            await grains.GetGrain<IOrganizationGrain>(org).UpdateAsync(new UpdateOrganization(null, null, null, quota));
        }
    }

    private static IReadOnlyList<Guid> Organizations(V3Body body)
    {
        if (body.Root.TryGetProperty("relationships", out var relationships))
        {
            V3Body.AllowOnly(relationships, "Relationships", "organizations");
        }

        return body.Data("organizations") is { } data ? V3Body.Guids(data, MaxApplied, InvalidOrganizations) : [];
    }

    /// <summary>The limits with the body's groups applied: a named limit is an integer of at least 0, or null (unlimited).</summary>
    private static QuotaLimits Apply(QuotaLimits limits, V3Body body)
    {
        var apps = Group(body, "apps", "total_memory_in_mb", "per_process_memory_in_mb", "total_instances", "per_app_tasks", "log_rate_limit_in_bytes_per_second");
        var services = Group(body, "services", "paid_services_allowed", "total_service_instances", "total_service_keys");
        var routes = Group(body, "routes", "total_routes", "total_reserved_ports");
        var domains = Group(body, "domains", "total_domains");
        return limits with
        {
            MemoryLimit = Limit(apps, "apps", "total_memory_in_mb") ?? limits.MemoryLimit,
            InstanceMemoryLimit = Limit(apps, "apps", "per_process_memory_in_mb") ?? limits.InstanceMemoryLimit,
            AppInstanceLimit = (int?)Limit(apps, "apps", "total_instances") ?? limits.AppInstanceLimit,
            AppTaskLimit = (int?)Limit(apps, "apps", "per_app_tasks") ?? limits.AppTaskLimit,
            NonBasicServicesAllowed = services is { } s && s.TryGetProperty("paid_services_allowed", out var paid)
                ? paid.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    _ => throw CloudControllerException.Unprocessable("Paid services allowed must be a boolean"),
                }
                : limits.NonBasicServicesAllowed,
            TotalServices = (int?)Limit(services, "services", "total_service_instances") ?? limits.TotalServices,
            TotalServiceKeys = (int?)Limit(services, "services", "total_service_keys") ?? limits.TotalServiceKeys,
            TotalRoutes = (int?)Limit(routes, "routes", "total_routes") ?? limits.TotalRoutes,
            TotalReservedRoutePorts = (int?)Limit(routes, "routes", "total_reserved_ports") ?? limits.TotalReservedRoutePorts,
            TotalPrivateDomains = (int?)Limit(domains, "domains", "total_domains") ?? limits.TotalPrivateDomains,
        };
    }

    private static JsonElement? Group(V3Body body, string name, params string[] fields)
    {
        if (!body.Root.TryGetProperty(name, out var group) || group.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (group.ValueKind != JsonValueKind.Object)
        {
            throw CloudControllerException.Unprocessable($"{char.ToUpperInvariant(name[0])}{name[1..]} must be an object");
        }

        V3Body.AllowOnly(group, char.ToUpperInvariant(name[0]) + name[1..], fields);
        return group;
    }

    /// <summary>A limit: null when not named, -1 (unlimited) when named as null, else an integer of 0 to 2^31-1.</summary>
    private static long? Limit(JsonElement? group, string groupName, string field)
    {
        if (group is not { } g || !g.TryGetProperty(field, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.Null => -1,
            JsonValueKind.Number when value.TryGetInt32(out var n) && n >= 0 => n,
            _ => throw CloudControllerException.Unprocessable($"{char.ToUpperInvariant(groupName[0])}{groupName[1..]} {field.Replace('_', ' ')} must be an integer of at least 0, or null"),
        };
    }

    private static async Task<JsonObject> RenderAsync(HttpContext http, IGrainFactory grains, QuotaSnapshot quota, string url)
    {
        var applied = await grains.Lists().OrganizationsAsync(http.ListCaller(), new ListFilter { QuotaGuids = [quota.Guid] }, ListWindow.All);
        var l = quota.Limits;
        return new JsonObject
        {
            ["guid"] = quota.Guid,
            ["created_at"] = CfTimestampConverter.ToCf(quota.CreatedAt),
            ["updated_at"] = CfTimestampConverter.ToCf(quota.UpdatedAt ?? quota.CreatedAt),
            ["name"] = l.Name,
            ["apps"] = new JsonObject
            {
                ["total_memory_in_mb"] = Shown(l.MemoryLimit),
                ["per_process_memory_in_mb"] = Shown(l.InstanceMemoryLimit),
                ["total_instances"] = Shown(l.AppInstanceLimit),
                ["per_app_tasks"] = Shown(l.AppTaskLimit),
                ["log_rate_limit_in_bytes_per_second"] = null,
            },
            ["services"] = new JsonObject
            {
                ["paid_services_allowed"] = l.NonBasicServicesAllowed,
                ["total_service_instances"] = Shown(l.TotalServices),
                ["total_service_keys"] = Shown(l.TotalServiceKeys),
            },
            ["routes"] = new JsonObject { ["total_routes"] = Shown(l.TotalRoutes), ["total_reserved_ports"] = Shown(l.TotalReservedRoutePorts) },
            ["domains"] = new JsonObject { ["total_domains"] = Shown(l.TotalPrivateDomains) },
            ["relationships"] = new JsonObject
            {
                ["organizations"] = new JsonObject { ["data"] = new JsonArray([.. applied.Items.Select(o => (JsonNode)new JsonObject { ["guid"] = o.Guid })]) },
            },
            ["links"] = new JsonObject { ["self"] = new JsonObject { ["href"] = $"{url}/v3/organization_quotas/{quota.Guid}" } },
        };
    }

    private static JsonValue? Shown(long limit) => limit < 0 ? null : JsonValue.Create(limit);

    private static async Task<QuotaSnapshot> FindAsync(IGrainFactory grains, string guid) =>
        await grains.GetGrain<IQuotaDefinitionGrain>(RouteGuid.Parse(guid, _ => QuotaNotFound())).FindAsync() ?? throw QuotaNotFound();

    private static CloudControllerException QuotaNotFound() => new(CfErrorCode.ResourceNotFound, "Organization quota not found");

    private static CloudControllerException InvalidOrganizations() =>
        CloudControllerException.Unprocessable("Organizations must be {\"data\": [{\"guid\": \"<organization guid>\"}]}");
}
