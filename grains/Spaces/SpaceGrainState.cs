using CloudController.GrainInterfaces.Spaces;

namespace CloudController.Grains.Spaces;

/// <summary>Persisted form of a space. Ids are permanent: add new ones, never renumber.</summary>
[GenerateSerializer, Alias("CloudController.Grains.Spaces.SpaceGrainState")]
public sealed record SpaceGrainState
{
    [Id(0)] public string Name { get; init; } = "";
    [Id(1)] public Guid OrganizationGuid { get; init; }
    [Id(2)] public bool AllowSsh { get; init; } = true;
    [Id(3)] public Guid? SpaceQuotaDefinitionGuid { get; init; }
    [Id(4)] public DateTimeOffset CreatedAt { get; init; }
    [Id(5)] public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>Derived work the last stored change still owes (see <see cref="Storage.Outstanding"/>).</summary>
    [Id(6)] public Storage.Outstanding? Outstanding { get; init; }

    [Id(7)] public GrainInterfaces.Metadata.ResourceMetadata? Metadata { get; init; }

    public SpaceSnapshot ToSnapshot(Guid guid) =>
        new(guid, Name, OrganizationGuid, AllowSsh, SpaceQuotaDefinitionGuid, CreatedAt, UpdatedAt)
        {
            Metadata = Metadata ?? GrainInterfaces.Metadata.ResourceMetadata.Empty,
        };
}
