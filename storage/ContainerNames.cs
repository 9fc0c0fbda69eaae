using System.Text.RegularExpressions;

namespace CloudController.Storage;

/// <summary>Azure Blob Storage's container naming rule, checked at start so a bad name is one clear line.</summary>
public static partial class ContainerNames
{
    public static bool IsValid(string? containerName) => Pattern().IsMatch(containerName ?? string.Empty);

    /// <summary>What to print for an invalid name given in <paramref name="setting"/>.</summary>
    public static string Problem(string setting, string? containerName) =>
        $"{setting} '{containerName}' is not a valid blob container name (3-63 characters: lower-case letters, digits and single hyphens).";

    [GeneratedRegex("^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex Pattern();
}
