using System.Collections.Immutable;
using Orleans.Concurrency;

namespace CloudController.GrainInterfaces.Config;

/// <summary>
/// The platform's feature flags (one grain, key 0): CF's flags with CF's defaults until an admin sets them. v2's
/// <c>/v2/config/feature_flags</c> and v3's <c>/v3/feature_flags</c> read and write this one record.
/// </summary>
[Alias("CloudController.GrainInterfaces.Config.IFeatureFlagsGrain")]
public interface IFeatureFlagsGrain : IGrainWithIntegerKey
{
    [Alias("ListAsync"), ReadOnly]
    Task<ImmutableArray<FeatureFlag>> ListAsync();

    /// <summary>The flag, or null for a name CF does not have.</summary>
    [Alias("FindAsync"), ReadOnly]
    Task<FeatureFlag?> FindAsync(string name);

    /// <summary>
    /// Sets a flag (null fields stay; <paramref name="clearMessage"/> drops the custom error message); raises
    /// FeatureFlagNotFound for a name CF does not have.
    /// </summary>
    [Alias("SetAsync")]
    Task<FeatureFlag> SetAsync(string name, bool? enabled, string? customErrorMessage, bool clearMessage);
}

/// <summary>A feature flag as it stands; <see cref="UpdatedAt"/> is null while it has its default.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Config.FeatureFlag")]
public sealed record FeatureFlag(
    [property: Id(0)] string Name, [property: Id(1)] bool Enabled, [property: Id(2)] string? CustomErrorMessage, [property: Id(3)] DateTimeOffset? UpdatedAt);

/// <summary>CF's feature flags and their defaults (cloud_controller_ng's FeatureFlag::DEFAULT_FLAGS).</summary>
public static class FeatureFlags
{
    public const string UserOrgCreation = "user_org_creation";
    public const string PrivateDomainCreation = "private_domain_creation";
    public const string AppBitsUpload = "app_bits_upload";
    public const string AppScaling = "app_scaling";
    public const string RouteCreation = "route_creation";
    public const string TaskCreation = "task_creation";
    public const string SetRolesByUsername = "set_roles_by_username";
    public const string UnsetRolesByUsername = "unset_roles_by_username";

    public static ImmutableArray<(string Name, bool Enabled)> Defaults { get; } =
    [
        (UserOrgCreation, false),
        (PrivateDomainCreation, true),
        (AppBitsUpload, true),
        (AppScaling, true),
        (RouteCreation, true),
        ("service_instance_creation", true),
        ("diego_docker", false),
        (SetRolesByUsername, true),
        (UnsetRolesByUsername, true),
        ("task_creation", true),
        ("env_var_visibility", true),
        ("space_scoped_private_broker_creation", true),
        ("space_developer_env_var_visibility", true),
        ("service_instance_sharing", false),
        ("hide_marketplace_from_unauthenticated_users", false),
        ("resource_matching", true),
    ];
}
