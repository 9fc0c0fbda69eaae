namespace CloudController.GrainInterfaces.Organizations;

/// <summary>Changes to an organization; null fields stay as they are.</summary>
[GenerateSerializer, Immutable, Alias("CloudController.GrainInterfaces.Organizations.UpdateOrganization")]
public sealed record UpdateOrganization(string? Name, bool? BillingEnabled, string? Status, Guid? QuotaDefinitionGuid)
{
    [Id(4)] public Metadata.MetadataPatch? Metadata { get; init; }
}
