using System.Text.RegularExpressions;

namespace CloudController.Hosting;

/// <summary>Azure Table Storage's naming rule, checked at start so a bad name is one clear line, not a failed host.</summary>
public static partial class TableNames
{
    public static void Validate(string setting, string? name)
    {
        if (!Pattern().IsMatch(name ?? string.Empty))
        {
            throw new OrleansConfigurationException(
                $"{setting} '{name}' is not a valid table name (3-63 letters and digits, starting with a letter).");
        }
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    private static partial Regex Pattern();
}
