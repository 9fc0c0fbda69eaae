using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Organizations;
using CloudController.GrainInterfaces.Spaces;

namespace CloudController.Api.Resources;

/// <summary>
/// What an app's instances would see in their environment besides its own variables: <c>VCAP_APPLICATION</c> (name,
/// uris, limits, space and organization) and <c>VCAP_SERVICES</c> (empty: no services are bound on this server).
/// </summary>
internal static class AppEnvironment
{
    public static async Task<IReadOnlyDictionary<string, object>> ApplicationAsync(IGrainFactory grains, AppSnapshot app, string cfApi)
    {
        var routes = Endpoints.RouteViews.OfAppAsync(grains, app.Guid);
        var space = await grains.GetGrain<ISpaceGrain>(app.SpaceGuid).FindAsync();
        var org = space is null ? null : await grains.GetGrain<IOrganizationGrain>(space.OrganizationGuid).FindAsync();
        var uris = (await routes).Select(r => Endpoints.RouteViews.Url(r.Route, r.Domain.Name)).ToArray();
        var vcap = new Dictionary<string, object?>
        {
            ["cf_api"] = cfApi,
            ["limits"] = new Dictionary<string, int> { ["fds"] = 16384, ["mem"] = app.Memory, ["disk"] = app.DiskQuota },
            ["application_name"] = app.Name,
            ["application_uris"] = uris,
            ["name"] = app.Name,
            ["space_name"] = space?.Name,
            ["space_id"] = app.SpaceGuid,
            ["organization_id"] = space?.OrganizationGuid,
            ["organization_name"] = org?.Name,
            ["uris"] = uris,
            ["users"] = null,
            ["application_id"] = app.Guid,
            ["version"] = app.Version,
            ["application_version"] = app.Version,
        };
        return new Dictionary<string, object> { ["VCAP_APPLICATION"] = vcap };
    }

    public static IReadOnlyDictionary<string, object> System() =>
        new Dictionary<string, object> { ["VCAP_SERVICES"] = new Dictionary<string, object>() };

}

/// <summary><c>GET /v2/apps/:guid/env</c>, what <c>cf env</c> prints.</summary>
internal sealed record V2AppEnv(
    System.Text.Json.JsonElement StagingEnvJson,
    System.Text.Json.JsonElement RunningEnvJson,
    System.Text.Json.JsonElement EnvironmentJson,
    IReadOnlyDictionary<string, object> SystemEnvJson,
    IReadOnlyDictionary<string, object> ApplicationEnvJson);
