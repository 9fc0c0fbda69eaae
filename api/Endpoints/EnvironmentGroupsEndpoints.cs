using System.Text.Json;
using CloudController.Api.Auth;
using CloudController.Api.Json;
using CloudController.GrainInterfaces.Config;
using CloudController.GrainInterfaces.Errors;

namespace CloudController.Api.Endpoints;

/// <summary>
/// <c>GET/PUT /v2/config/environment_variable_groups/running|staging</c>: variables every app gets while running or
/// staging. Everyone reads them (<c>cf env</c> prints them); admins replace them with a JSON object.
/// </summary>
internal static class EnvironmentGroupsEndpoints
{
    public static IEndpointRouteBuilder MapEnvironmentGroups(this IEndpointRouteBuilder routes)
    {
        var groups = routes.MapGroup("/v2/config/environment_variable_groups");
        groups.MapGet("/{name}", GetAsync).Unguarded("platform-wide settings every user reads");
        groups.MapPut("/{name}", SetAsync).RequireCf(CfAccess.Admin).Unguarded("admins only");
        routes.MapGet("/v3/environment_variable_groups/{name}", GetV3Async).Unguarded("platform-wide settings every user reads");
        routes.MapPatch("/v3/environment_variable_groups/{name}", UpdateV3Async).RequireCf(CfAccess.Admin).Unguarded("admins only");
        return routes;
    }

    /// <summary>The group's variables, for <c>running_env_json</c> and <c>staging_env_json</c>.</summary>
    public static async Task<JsonElement> VariablesAsync(IGrainFactory grains, string name) =>
        JsonDocument.Parse(await grains.GetGrain<IEnvironmentVariableGroupGrain>(name).GetAsync()).RootElement.Clone();

    private static async Task<IResult> GetAsync(string name, IGrainFactory grains) =>
        TypedResults.Json(await VariablesAsync(grains, Known(name)), CfJson.Options);

    private static async Task<IResult> SetAsync(string name, HttpContext http, IGrainFactory grains)
    {
        var group = Known(name);
        var body = await JsonBody.ReadAsync(http.Request);
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw CloudControllerException.MessageParse("the environment variable group must be a JSON object");
        }

        foreach (var variable in body.EnumerateObject())
        {
            if (variable.Name.Length == 0 || variable.Name.StartsWith("CF_", StringComparison.OrdinalIgnoreCase)
                || variable.Name.StartsWith("VCAP_", StringComparison.OrdinalIgnoreCase) || variable.Name.Equals("PORT", StringComparison.OrdinalIgnoreCase))
            {
                throw new CloudControllerException(CfErrorCode.InvalidRequest,
                    $"The request is invalid: cannot set {(variable.Name.Length == 0 ? "an empty name" : variable.Name)} (CF_, VCAP_ and PORT are reserved)");
            }
        }

        await grains.GetGrain<IEnvironmentVariableGroupGrain>(group).SetAsync(body.GetRawText());
        return TypedResults.Json(body, CfJson.Options);
    }

    /// <summary>v3's view: <c>{"var": {...}, "name": ..., "updated_at": null, "links": {...}}</c>.</summary>
    private static async Task<IResult> GetV3Async(string name, HttpContext http, IGrainFactory grains, Hosting.BaseUrl baseUrl) =>
        TypedResults.Json(V3Group(name, await VariablesAsync(grains, Known(name)), baseUrl.Of(http)), CfJson.Options);

    /// <summary>v3 PATCH merges: named variables are set, a null removes one, the rest stay.</summary>
    private static async Task<IResult> UpdateV3Async(string name, HttpContext http, IGrainFactory grains, Hosting.BaseUrl baseUrl)
    {
        var group = Known(name);
        var body = await V3Body.ReadAsync(http.Request, "var");
        if (!body.Root.TryGetProperty("var", out var changes) || changes.ValueKind != JsonValueKind.Object)
        {
            throw CloudControllerException.Unprocessable("Var must be an object");
        }

        var merged = System.Text.Json.Nodes.JsonNode.Parse((await VariablesAsync(grains, group)).GetRawText())!.AsObject();
        foreach (var change in changes.EnumerateObject())
        {
            if (change.Name.Length == 0 || change.Name.StartsWith("CF_", StringComparison.OrdinalIgnoreCase)
                || change.Name.StartsWith("VCAP_", StringComparison.OrdinalIgnoreCase) || change.Name.Equals("PORT", StringComparison.OrdinalIgnoreCase))
            {
                throw CloudControllerException.Unprocessable($"Var may not set {(change.Name.Length == 0 ? "an empty name" : change.Name)} (CF_, VCAP_ and PORT are reserved)");
            }

            if (change.Value.ValueKind == JsonValueKind.Null)
            {
                merged.Remove(change.Name);
            }
            else if (change.Value.ValueKind != JsonValueKind.String)
            {
                throw CloudControllerException.Unprocessable($"Var value of '{change.Name}' must be a string");
            }
            else
            {
                merged[change.Name] = change.Value.GetString();
            }
        }

        var stored = await grains.GetGrain<IEnvironmentVariableGroupGrain>(group).SetAsync(merged.ToJsonString());
        return TypedResults.Json(V3Group(group, JsonDocument.Parse(stored).RootElement.Clone(), baseUrl.Of(http)), CfJson.Options);
    }

    private static System.Text.Json.Nodes.JsonObject V3Group(string name, JsonElement variables, string baseUrl) => new()
    {
        ["var"] = System.Text.Json.Nodes.JsonNode.Parse(variables.GetRawText()),
        ["name"] = name,
        ["updated_at"] = null,
        ["links"] = new System.Text.Json.Nodes.JsonObject
        {
            ["self"] = new System.Text.Json.Nodes.JsonObject { ["href"] = $"{baseUrl}/v3/environment_variable_groups/{name}" },
        },
    };

    private static string Known(string name) => name is "running" or "staging"
        ? name
        : throw new CloudControllerException(CfErrorCode.NotFound, "Unknown request");
}
