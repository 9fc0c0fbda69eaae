using CloudController.Api.Auth;
using CloudController.Api.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace CloudController.Api.Endpoints;

/// <summary>Anonymous discovery documents: <c>GET /</c>, <c>GET /v2/info</c>, <c>GET /v3</c>.</summary>
internal static class RootEndpoints
{
    public const string V2ApiVersion = "2.128.0";
    /// <summary>The v3 version advertised: one the cf CLI v7 and v8 accept without warning (at least 3.85.0).</summary>
    public const string V3ApiVersion = "3.99.0";

    /// <summary>Every collection a modern Cloud Controller lists under <c>GET /v3</c> (the cf CLI builds its URLs from them).</summary>
    private static readonly string[] V3Collections =
    [
        "app_usage_events", "apps", "audit_events", "buildpacks", "builds", "deployments", "domains", "droplets",
        "environment_variable_groups", "feature_flags", "info", "isolation_segments", "organizations", "organization_quotas",
        "packages", "processes", "resource_matches", "roles", "routes", "security_groups", "service_brokers", "service_instances",
        "service_credential_bindings", "service_offerings", "service_plans", "service_route_bindings", "service_usage_events",
        "spaces", "space_quotas", "stacks", "tasks", "users",
    ];

    public static IEndpointRouteBuilder MapRoot(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/", Root).RequireCf(CfAccess.Anonymous);
        routes.MapGet("/v2/info", Info).RequireCf(CfAccess.Anonymous);
        routes.MapGet("/v3", V3Root).RequireCf(CfAccess.Anonymous);
        routes.MapGet("/v3/info", V3Info).RequireCf(CfAccess.Anonymous);
        return routes;
    }

    private static Ok<V2Info> Info(HttpContext http, BaseUrl baseUrl, IOptions<UaaOptions> uaa, IConfiguration configuration)
    {
        var runtime = configuration.GetValue("CloudController:Runtime:Provider", "simulated");
        var url = baseUrl.Of(http);
        var uaaUrl = UaaUrl(uaa.Value, url);
        return TypedResults.Ok(new V2Info(
            Name: "orleans-cloud-controller",
            Build: "orleans-cloud-controller",
            Support: "https://github.com/cloudfoundry/cloud_controller_ng",
            Version: 2,
            Description: runtime == "simulated"
                ? "Cloud Controller API on Microsoft Orleans; apps run on the simulated runtime: no app code runs, instances only report STARTING then RUNNING"
                : $"Cloud Controller API on Microsoft Orleans; apps run on the {runtime} runtime",
            AuthorizationEndpoint: uaaUrl,
            TokenEndpoint: uaaUrl,
            MinCliVersion: null,
            MinRecommendedCliVersion: null,
            ApiVersion: V2ApiVersion,
            AppSshEndpoint: null,
            AppSshHostKeyFingerprint: null,
            AppSshOauthClient: "ssh-proxy",
            User: http.CfUser()?.UserId));
    }

    private static Ok<LinksDocument> Root(HttpContext http, BaseUrl baseUrl, IOptions<UaaOptions> uaa)
    {
        var url = baseUrl.Of(http);
        var uaaUrl = UaaUrl(uaa.Value, url);
        return TypedResults.Ok(new LinksDocument(new Dictionary<string, RootLink?>
        {
            ["self"] = new(url),
            ["cloud_controller_v2"] = new($"{url}/v2", new Dictionary<string, string> { ["version"] = V2ApiVersion }),
            ["cloud_controller_v3"] = new($"{url}/v3", new Dictionary<string, string> { ["version"] = V3ApiVersion }),
            ["login"] = new(uaaUrl),
            ["uaa"] = new(uaaUrl),
            ["network_policy_v0"] = null,
            ["network_policy_v1"] = null,
            ["credhub"] = null,
            ["routing"] = null,
            ["logging"] = null,
            ["log_cache"] = new(url),
            ["log_stream"] = null,
            ["app_ssh"] = null,
            ["bits_service"] = null,
        }));
    }

    private static Ok<LinksDocument> V3Root(HttpContext http, BaseUrl baseUrl)
    {
        var v3 = $"{baseUrl.Of(http)}/v3";
        var links = new Dictionary<string, RootLink?> { ["self"] = new RootLink(v3) };
        foreach (var collection in V3Collections)
        {
            links[collection] = new RootLink($"{v3}/{collection}");
        }

        return TypedResults.Ok(new LinksDocument(links));
    }

    /// <summary><c>GET /v3/info</c>: what this server says of itself (CC's shape; nothing the cf CLI reads).</summary>
    private static Ok<V3Info> V3Info(HttpContext http, BaseUrl baseUrl) =>
        TypedResults.Ok(new V3Info(
            "orleans-cloud-controller", new V3CliVersion("", ""), new Dictionary<string, string>(),
            "Cloud Controller API on Microsoft Orleans", "orleans-cloud-controller", 3, "2.15",
            new Dictionary<string, Resources.Link> { ["self"] = new($"{baseUrl.Of(http)}/v3/info"), ["support"] = new("") }));

    private static string UaaUrl(UaaOptions uaa, string ownUrl) =>
        string.IsNullOrWhiteSpace(uaa.Url) ? ownUrl : uaa.Url.TrimEnd('/');
}

internal sealed record V2Info(
    string Name,
    string Build,
    string Support,
    int Version,
    string Description,
    string AuthorizationEndpoint,
    string TokenEndpoint,
    string? MinCliVersion,
    string? MinRecommendedCliVersion,
    string ApiVersion,
    string? AppSshEndpoint,
    string? AppSshHostKeyFingerprint,
    string AppSshOauthClient,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? User);

internal sealed record V3Info(
    string Build,
    V3CliVersion CliVersion,
    IReadOnlyDictionary<string, string> Custom,
    string Description,
    string Name,
    int Version,
    string OsbapiVersion,
    IReadOnlyDictionary<string, Resources.Link> Links);

internal sealed record V3CliVersion(string Minimum, string Recommended);

internal sealed record LinksDocument(IReadOnlyDictionary<string, RootLink?> Links);

internal sealed record RootLink(
    string Href,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, string>? Meta = null);
