using CloudController.Api.Auth;
using CloudController.GrainInterfaces.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CloudController.Api.Endpoints;

/// <summary>
/// <c>GET /v2/config/feature_flags[/:name]</c>: the flags and what this server does with them. They are fixed at CF's
/// defaults, with the role-by-username flags on (the cf CLI asks for them before <c>set-org-role</c>).
/// </summary>
internal static class FeatureFlagsEndpoints
{
    private static readonly (string Name, bool Enabled)[] Flags =
    [
        ("user_org_creation", false),
        ("private_domain_creation", true),
        ("app_bits_upload", true),
        ("app_scaling", true),
        ("route_creation", true),
        ("service_instance_creation", true),
        ("diego_docker", false),
        ("set_roles_by_username", true),
        ("unset_roles_by_username", true),
        ("task_creation", false),
        ("env_var_visibility", true),
        ("space_scoped_private_broker_creation", true),
        ("space_developer_env_var_visibility", true),
    ];

    public static IEndpointRouteBuilder MapFeatureFlags(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v2/config/feature_flags", () => TypedResults.Ok(Flags.Select(f => Flag(f.Name, f.Enabled)).ToList())).Unguarded("platform-wide settings");
        routes.MapGet("/v2/config/feature_flags/{name}", Get).Unguarded("platform-wide settings");
        return routes;
    }

    private static Ok<FeatureFlag> Get(string name) =>
        Flags.FirstOrDefault(f => f.Name == name) is { Name: not null } flag
            ? TypedResults.Ok(Flag(flag.Name, flag.Enabled))
            : throw new CloudControllerException(CfErrorCode.FeatureFlagNotFound, $"The feature flag could not be found: {name}");

    private static FeatureFlag Flag(string name, bool enabled) => new(name, enabled, null, $"/v2/config/feature_flags/{name}");
}

internal sealed record FeatureFlag(string Name, bool Enabled, string? ErrorMessage, string Url);
