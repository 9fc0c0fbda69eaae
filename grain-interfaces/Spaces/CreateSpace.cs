namespace CloudController.GrainInterfaces.Spaces;

/// <summary>Creates a space in an organization.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Spaces.CreateSpace")]
public sealed record CreateSpace(string Name, Guid OrganizationGuid, bool AllowSsh, Guid? SpaceQuotaDefinitionGuid)
{
    [Id(4)] public Metadata.MetadataPatch? Metadata { get; init; }
}
