using Microsoft.Extensions.DependencyInjection;

namespace CloudController.Storage;

/// <summary>Limits for app bits (configuration section <c>CloudController:Bits</c>), read by the api and the silo alike.</summary>
public sealed partial class BitsOptions
{
    public const string Section = "CloudController:Bits";

    /// <summary>Largest bits upload request body (CF's <c>app_bits_max_body_size</c>, 1536M).</summary>
    public long MaxUploadSize { get; set; } = 1536L * 1024 * 1024;

    /// <summary>Largest package: uncompressed zip entries plus fingerprinted files (<c>packages.max_package_size</c>).</summary>
    public long MaxPackageSize { get; set; } = 1024L * 1024 * 1024;

    /// <summary>Files are matched and cached only above this size (<c>resource_pool.minimum_size</c>).</summary>
    public long ResourceMinimumSize { get; set; } = 65536;

    /// <summary>Files are matched and cached only below this size (<c>resource_pool.maximum_size</c>).</summary>
    public long ResourceMaximumSize { get; set; } = 512L * 1024 * 1024;

    /// <summary>How long a synchronous bits upload waits for its processing.</summary>
    public TimeSpan SyncUploadTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Where packages are assembled on disk (never in memory).</summary>
    public string? WorkDirectory { get; set; }

    /// <summary>
    /// Fingerprints (cached files named in <c>resources</c>) one upload may name. Each costs a storage request, so an
    /// upload naming more is refused before any is looked up.
    /// </summary>
    public int MaxFingerprints { get; set; } = 10_000;

    /// <summary>Package builds and stagings one silo runs at once (null: twice the cores); the rest wait their turn.</summary>
    public int? MaxConcurrentWork { get; set; }

    /// <summary>
    /// Put before each bits container's name (<c>packages</c>, <c>droplets</c>, ...), so that several systems can share
    /// one storage account. Lower-case letters, digits and single hyphens, at most <see cref="MaxContainerPrefixLength"/>
    /// characters; the API and every silo of one system must use the same prefix.
    /// </summary>
    public string ContainerPrefix { get; set; } = "";

    public const int MaxContainerPrefixLength = 40;

    /// <summary>Binds the options from <see cref="Section"/> and refuses to start with a prefix no container can carry.</summary>
    public static void AddTo(IServiceCollection services) =>
        services.AddOptions<BitsOptions>().BindConfiguration(Section)
            .Validate(o => IsValidContainerPrefix(o.ContainerPrefix),
                $"{Section}: ContainerPrefix must be lower-case letters, digits and single hyphens, at most {MaxContainerPrefixLength} characters.")
            .ValidateOnStart();

    /// <summary>Whether <paramref name="prefix"/> makes valid blob container names in front of the bits containers' own.</summary>
    public static bool IsValidContainerPrefix(string? prefix) =>
        prefix is not null && prefix.Length <= MaxContainerPrefixLength && ContainerPrefixPattern().IsMatch(prefix);

    [System.Text.RegularExpressions.GeneratedRegex("^(?:[a-z0-9]+(?:-[a-z0-9]+)*-?)?$")]
    private static partial System.Text.RegularExpressions.Regex ContainerPrefixPattern();
}
