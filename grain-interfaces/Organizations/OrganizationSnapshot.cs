namespace CloudController.GrainInterfaces.Organizations;

/// <summary>An organization as callers see it.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Organizations.OrganizationSnapshot")]
public sealed record OrganizationSnapshot(
    Guid Guid,
    string Name,
    bool BillingEnabled,
    string Status,
    Guid QuotaDefinitionGuid,
    DateTimeOffset CreatedAt,
    DateTimeOffset? UpdatedAt)
{
    [Id(7)] public Metadata.ResourceMetadata Metadata { get; init; } = GrainInterfaces.Metadata.ResourceMetadata.Empty;
}
