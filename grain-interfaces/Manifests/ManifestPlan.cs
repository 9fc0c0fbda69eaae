using System.Collections.Immutable;
using CloudController.GrainInterfaces.Apps;

namespace CloudController.GrainInterfaces.Manifests;

/// <summary>
/// An applied manifest, resolved and validated by the front end (every app exists, every name is a guid): what the
/// <c>space.apply_manifest</c> job changes, app by app, in manifest order. Each step is idempotent, so a job run again
/// after a lost silo ends where one uninterrupted run would.
/// </summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Manifests.ManifestPlan")]
public sealed record ManifestPlan(
    [property: Id(0)] Guid SpaceGuid,
    [property: Id(1)] ImmutableArray<ManifestAppPlan> Apps);

/// <summary>One app's changes: its settings, its processes (created when missing), and its routes.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Manifests.ManifestAppPlan")]
public sealed record ManifestAppPlan(
    [property: Id(0)] Guid AppGuid,
    [property: Id(1)] string Name,
    [property: Id(2)] AppFields Settings,
    [property: Id(3)] ImmutableArray<ManifestProcessPlan> Processes,
    [property: Id(4)] ManifestRouteMode RouteMode,
    [property: Id(5)] ImmutableArray<PlannedRoute> Routes);

[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Manifests.ManifestProcessPlan")]
public sealed record ManifestProcessPlan([property: Id(0)] string Type, [property: Id(1)] ProcessFields Fields);

/// <summary>
/// A route by its parts: found in the space (or created there) and mapped to the app. For a default or random route it
/// is used only when the app has no route yet.
/// </summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Manifests.PlannedRoute")]
public sealed record PlannedRoute(
    [property: Id(0)] Guid DomainGuid,
    [property: Id(1)] string Host,
    [property: Id(2)] string Path,
    [property: Id(3)] string Url);

/// <summary>How a manifest treats the app's routes.</summary>
public enum ManifestRouteMode
{
    /// <summary>Routes are left as they are.</summary>
    Keep,

    /// <summary>The listed routes are mapped (found or created); others stay mapped, as CC does.</summary>
    Listed,

    /// <summary>Every mapping of the app is removed.</summary>
    None,

    /// <summary>The planned default or random route is mapped when the app has no route.</summary>
    IfUnrouted,
}
