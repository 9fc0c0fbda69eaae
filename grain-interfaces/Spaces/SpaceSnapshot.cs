namespace CloudController.GrainInterfaces.Spaces;

/// <summary>A space as callers see it.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Spaces.SpaceSnapshot")]
public sealed record SpaceSnapshot(
    Guid Guid,
    string Name,
    Guid OrganizationGuid,
    bool AllowSsh,
    Guid? SpaceQuotaDefinitionGuid,
    DateTimeOffset CreatedAt,
    DateTimeOffset? UpdatedAt)
{
    [Id(7)] public Metadata.ResourceMetadata Metadata { get; init; } = GrainInterfaces.Metadata.ResourceMetadata.Empty;
}
