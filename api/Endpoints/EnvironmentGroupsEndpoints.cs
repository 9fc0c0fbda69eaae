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

    private static string Known(string name) => name is "running" or "staging"
        ? name
        : throw new CloudControllerException(CfErrorCode.NotFound, "Unknown request");
}
