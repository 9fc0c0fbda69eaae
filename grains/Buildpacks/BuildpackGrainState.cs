using CloudController.GrainInterfaces.Buildpacks;

namespace CloudController.Grains.Buildpacks;

/// <summary>Persisted form of an admin buildpack. Ids are permanent: add new ones, never renumber.</summary>
[GenerateSerializer, Alias("CloudController.Grains.Buildpacks.BuildpackGrainState")]
public sealed record BuildpackGrainState
{
    [Id(0)] public string Name { get; init; } = "";
    [Id(1)] public int Position { get; init; }
    [Id(2)] public bool Enabled { get; init; } = true;
    [Id(3)] public bool Locked { get; init; }
    [Id(4)] public string? Filename { get; init; }
    [Id(5)] public DateTimeOffset CreatedAt { get; init; }
    [Id(6)] public DateTimeOffset? UpdatedAt { get; init; }

    public BuildpackSnapshot ToSnapshot(Guid guid) =>
        new(guid, Name, Position, Enabled, Locked, Filename, CreatedAt, UpdatedAt);
}
