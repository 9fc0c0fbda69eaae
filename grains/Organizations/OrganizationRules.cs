using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Organizations;

namespace CloudController.Grains.Organizations;

/// <summary>Validation and the create/update transitions of an organization. Pure.</summary>
internal static class OrganizationRules
{
    public const string Active = "active";
    public const string Suspended = "suspended";

    public static OrganizationGrainState Create(CreateOrganization command, DateTimeOffset now) => new()
    {
        Name = ValidName(command.Name),
        BillingEnabled = command.BillingEnabled,
        Status = ValidStatus(command.Status),
        QuotaDefinitionGuid = command.QuotaDefinitionGuid,
        CreatedAt = now,
        UpdatedAt = null,
        Metadata = GrainInterfaces.Metadata.ResourceMetadata.Empty.Apply(command.Metadata),
        QuotaListed = true,
    };

    public static OrganizationGrainState Update(OrganizationGrainState current, UpdateOrganization command, DateTimeOffset now) => current with
    {
        Name = command.Name is null ? current.Name : ValidName(command.Name),
        BillingEnabled = command.BillingEnabled ?? current.BillingEnabled,
        Status = command.Status is null ? current.Status : ValidStatus(command.Status),
        QuotaDefinitionGuid = command.QuotaDefinitionGuid ?? current.QuotaDefinitionGuid,
        Metadata = (current.Metadata ?? GrainInterfaces.Metadata.ResourceMetadata.Empty).Apply(command.Metadata),
        UpdatedAt = now,
    };

    private static string ValidName(string name)
    {
        var trimmed = name.Trim();
        return trimmed.Length is > 0 and <= 255 && !trimmed.Any(char.IsControl)
            ? trimmed
            : throw new CloudControllerException(CfErrorCode.OrganizationInvalid,
                "The organization info is invalid: name must be 1 to 255 printable characters");
    }

    private static string ValidStatus(string status) =>
        status is Active or Suspended
            ? status
            : throw new CloudControllerException(CfErrorCode.OrganizationInvalid,
                "The organization info is invalid: status must be 'active' or 'suspended'");
}
