using CloudController.GrainInterfaces.Apps;

namespace CloudController.Grains.Apps;

/// <summary>Persisted form of an app. Ids are permanent: add new ones, never renumber.</summary>
[GenerateSerializer, Alias("CloudController.Grains.Apps.AppGrainState")]
public sealed record AppGrainState
{
    [Id(0)] public AppSnapshot? App { get; init; }

    /// <summary>A v3 droplet holding the app's staging slot (v2 staging uses the app's staging_task_id).</summary>
    [Id(1)] public Guid? V3StagingDroplet { get; init; }

    /// <summary>The organization of the app's space, kept for its quota; null for apps stored before it was.</summary>
    [Id(2)] public Guid? OrganizationGuid { get; init; }
}
