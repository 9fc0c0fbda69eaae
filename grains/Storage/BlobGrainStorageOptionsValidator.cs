using System.Text.RegularExpressions;

namespace CloudController.Grains.Storage;

/// <summary>Rejects options the storage service would reject later, at silo start, with the option's name.</summary>
public sealed partial class BlobGrainStorageOptionsValidator(BlobGrainStorageOptions options, string name) : IConfigurationValidator
{
    public void ValidateConfiguration()
    {
        if (!ContainerNamePattern().IsMatch(options.ContainerName ?? string.Empty))
        {
            throw new OrleansConfigurationException(
                $"Grain storage '{name}': ContainerName '{options.ContainerName}' is not a valid blob container name " +
                "(3-63 characters: lower-case letters, digits and single hyphens).");
        }

        if (options.GrainStorageSerializer is null)
        {
            throw new OrleansConfigurationException($"Grain storage '{name}': no GrainStorageSerializer is configured.");
        }
    }

    [GeneratedRegex("^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex ContainerNamePattern();
}
