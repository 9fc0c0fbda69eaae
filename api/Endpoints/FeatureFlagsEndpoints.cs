using CloudController.Api.Auth;
using CloudController.Api.Hosting;
using CloudController.Api.Json;
using CloudController.Api.Paging;
using CloudController.Api.Resources;
using CloudController.GrainInterfaces.Config;
using CloudController.GrainInterfaces.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CloudController.Api.Endpoints;

/// <summary>
/// Feature flags, one stored record read two ways: v2's <c>/v2/config/feature_flags[/:name]</c> and v3's
/// <c>/v3/feature_flags[/:name]</c>. Everyone reads them; admins set them. <see cref="RequireAsync"/> is how a route
/// obeys one: admins are never held back, others get 403 <c>CF-FeatureDisabled</c> (or the flag's own message).
/// </summary>
internal static class FeatureFlagsEndpoints
{
    public static IEndpointRouteBuilder MapFeatureFlags(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v2/config/feature_flags", async (IGrainFactory grains) =>
            TypedResults.Ok((await Flags(grains).ListAsync()).Select(V2Flag).ToList())).Unguarded("platform-wide settings");
        routes.MapGet("/v2/config/feature_flags/{name}", async (string name, IGrainFactory grains) =>
            TypedResults.Ok(V2Flag(await FindAsync(grains, name, v3: false)))).Unguarded("platform-wide settings");
        routes.MapPut("/v2/config/feature_flags/{name}", SetV2Async).RequireCf(CfAccess.Admin).Unguarded("admins only");

        routes.MapGet("/v3/feature_flags", ListV3Async).Unguarded("platform-wide settings");
        routes.MapGet("/v3/feature_flags/{name}", async (string name, HttpContext http, IGrainFactory grains, BaseUrl baseUrl) =>
            TypedResults.Ok(V3FeatureFlag.From(await FindAsync(grains, name, v3: true), baseUrl.Of(http)))).Unguarded("platform-wide settings");
        routes.MapPatch("/v3/feature_flags/{name}", SetV3Async).RequireCf(CfAccess.Admin).Unguarded("admins only");
        return routes;
    }

    /// <summary>Refuses a non-admin when the flag is off: 403 <c>CF-FeatureDisabled</c>, or the message an admin gave it.</summary>
    public static async Task RequireAsync(HttpContext http, IGrainFactory grains, string flag)
    {
        if (http.CfUser()!.IsAdmin)
        {
            return;
        }

        if (await Flags(grains).FindAsync(flag) is { Enabled: false } off)
        {
            throw new CloudControllerException(CfErrorCode.FeatureDisabled, off.CustomErrorMessage ?? $"Feature Disabled: {flag}");
        }
    }

    /// <summary>Whether a flag is on (for callers that refuse in their own words).</summary>
    public static async Task<bool> EnabledAsync(IGrainFactory grains, string flag) => (await Flags(grains).FindAsync(flag))?.Enabled ?? false;

    private static async Task<Ok<V3Page<V3FeatureFlag>>> ListV3Async(HttpContext http, IGrainFactory grains, BaseUrl baseUrl)
    {
        var query = V3ListQuery.Parse(http.Request.Query, []);
        var all = await Flags(grains).ListAsync();
        var url = baseUrl.Of(http);
        var ordered = query.Window.Order == GrainInterfaces.Lists.ListOrder.Name ? all.OrderBy(f => f.Name, StringComparer.Ordinal) : all.AsEnumerable();
        if (query.Window.Descending)
        {
            ordered = ordered.Reverse();
        }

        return TypedResults.Ok(V3Page<V3FeatureFlag>.Create(url, http.Request.Path, query, all.Length,
            [.. ordered.Skip((query.Page - 1) * query.PerPage).Take(query.PerPage).Select(f => V3FeatureFlag.From(f, url))]));
    }

    private static async Task<Ok<V2FeatureFlag>> SetV2Async(string name, HttpContext http, IGrainFactory grains)
    {
        var body = await JsonBody.ReadObjectAsync(http.Request, JsonFieldErrors.V2, emptyIsObject: true);
        await FindAsync(grains, name, v3: false);
        var flag = await Flags(grains).SetAsync(name, body.OptionalBool("enabled"), body.OptionalString("error_message"),
            body.Root.TryGetProperty("error_message", out var message) && message.ValueKind == System.Text.Json.JsonValueKind.Null);
        return TypedResults.Ok(V2Flag(flag));
    }

    private static async Task<Ok<V3FeatureFlag>> SetV3Async(string name, HttpContext http, IGrainFactory grains, BaseUrl baseUrl)
    {
        await FindAsync(grains, name, v3: true);
        var body = await V3Body.ReadAsync(http.Request, "enabled", "custom_error_message");
        var flag = await Flags(grains).SetAsync(name, body.Fields.OptionalBool("enabled"), body.Fields.OptionalString("custom_error_message"),
            body.Root.TryGetProperty("custom_error_message", out var message) && message.ValueKind == System.Text.Json.JsonValueKind.Null);
        return TypedResults.Ok(V3FeatureFlag.From(flag, baseUrl.Of(http)));
    }

    private static async Task<FeatureFlag> FindAsync(IGrainFactory grains, string name, bool v3) =>
        await Flags(grains).FindAsync(name) ?? throw (v3
            ? new CloudControllerException(CfErrorCode.ResourceNotFound, "Feature flag not found")
            : new CloudControllerException(CfErrorCode.FeatureFlagNotFound, $"The feature flag could not be found: {name}"));

    private static IFeatureFlagsGrain Flags(IGrainFactory grains) => grains.GetGrain<IFeatureFlagsGrain>(0);

    private static V2FeatureFlag V2Flag(FeatureFlag flag) => new(flag.Name, flag.Enabled, flag.CustomErrorMessage, $"/v2/config/feature_flags/{flag.Name}");
}

internal sealed record V2FeatureFlag(string Name, bool Enabled, string? ErrorMessage, string Url);

internal sealed record V3FeatureFlag(string Name, bool Enabled, DateTimeOffset? UpdatedAt, string? CustomErrorMessage, IReadOnlyDictionary<string, Link> Links)
{
    public static V3FeatureFlag From(FeatureFlag flag, string baseUrl) =>
        new(flag.Name, flag.Enabled, flag.UpdatedAt, flag.CustomErrorMessage, new Dictionary<string, Link> { ["self"] = new($"{baseUrl}/v3/feature_flags/{flag.Name}") });
}
