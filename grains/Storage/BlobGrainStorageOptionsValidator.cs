using System.Text.RegularExpressions;

namespace CloudController.Grains.Storage;

/// <summary>Rejects options the storage service would reject later, at silo start, with the option's name.</summary>
public sealed partial class BlobGrainStorageOptionsValidator(BlobGrainStorageOptions options, string name) : IConfigurationValidator
{
    public void ValidateConfiguration()
    {
        ValidateContainerName(name, options.ContainerName);

        if (options.GrainStorageSerializer is null)
        {
            throw new OrleansConfigurationException($"Grain storage '{name}': no GrainStorageSerializer is configured.");
        }
    }

    /// <summary>Raises <see cref="OrleansConfigurationException"/> for a name Azure Storage would reject.</summary>
    public static void ValidateContainerName(string storageName, string? containerName)
    {
        if (!ContainerNamePattern().IsMatch(containerName ?? string.Empty))
        {
            throw new OrleansConfigurationException(
                $"Grain storage '{storageName}': ContainerName '{containerName}' is not a valid blob container name " +
                "(3-63 characters: lower-case letters, digits and single hyphens).");
        }
    }

    [GeneratedRegex("^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex ContainerNamePattern();
}
