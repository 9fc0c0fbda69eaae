using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Spaces;

namespace CloudController.Grains.Spaces;

/// <summary>Validation and the create/update transitions of a space. Pure.</summary>
internal static class SpaceRules
{
    public static SpaceGrainState Create(CreateSpace command, DateTimeOffset now) => new()
    {
        Name = ValidName(command.Name),
        OrganizationGuid = command.OrganizationGuid,
        AllowSsh = command.AllowSsh,
        SpaceQuotaDefinitionGuid = command.SpaceQuotaDefinitionGuid,
        CreatedAt = now,
        Metadata = GrainInterfaces.Metadata.ResourceMetadata.Empty.Apply(command.Metadata),
    };

    public static SpaceGrainState Update(SpaceGrainState current, UpdateSpace command, DateTimeOffset now) => current with
    {
        Name = command.Name is null ? current.Name : ValidName(command.Name),
        AllowSsh = command.AllowSsh ?? current.AllowSsh,
        Metadata = (current.Metadata ?? GrainInterfaces.Metadata.ResourceMetadata.Empty).Apply(command.Metadata),
        UpdatedAt = now,
    };

    private static string ValidName(string name)
    {
        var trimmed = name.Trim();
        return trimmed.Length is > 0 and <= 255 && !trimmed.Any(char.IsControl)
            ? trimmed
            : throw new CloudControllerException(CfErrorCode.SpaceInvalid,
                "The app space info is invalid: name must be 1 to 255 printable characters");
    }
}
