using CloudController.GrainInterfaces.Apps;

namespace CloudController.Grains.Apps;

/// <summary>Persisted form of an app. Ids are permanent: add new ones, never renumber.</summary>
[GenerateSerializer, Alias("CloudController.Grains.Apps.AppGrainState")]
public sealed record AppGrainState
{
    [Id(0)] public AppSnapshot? App { get; init; }
}
