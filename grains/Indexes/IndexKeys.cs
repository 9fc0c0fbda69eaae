namespace CloudController.Grains.Indexes;

/// <summary>
/// Keys of the index grains; persisted as part of blob names, so never renamed. Each resource has one index that
/// keeps its name unique (per space, per organization, per app, or a name-hash partition for platform-wide names)
/// and, for kinds listed across the platform, an entry in one of <see cref="Partitions"/> catalog partitions chosen
/// by its guid, so an unfiltered list asks a fixed number of grains whatever the number of scopes.
/// </summary>
internal static class IndexKeys
{
    /// <summary>Partitions of each catalog and of the organization and buildpack name indexes; fixed for good.</summary>
    public const int Partitions = 8;

    public const string Apps = "apps";
    public const string Spaces = "spaces";
    public const string Packages = "packages";
    public const string Droplets = "droplets";
    public const string Users = "users";

    /// <summary>Apps of a space; their names are unique in it.</summary>
    public static string AppsInSpace(Guid space) => $"{Apps}/{space:D}";

    /// <summary>Spaces of an organization; their names are unique in it.</summary>
    public static string SpacesInOrganization(Guid organization) => $"{Spaces}/{organization:D}";

    /// <summary>v3 packages of an app (named by their guid).</summary>
    public static string PackagesOfApp(Guid app) => $"{Packages}/{app:D}";

    /// <summary>Droplets of an app (named by their guid).</summary>
    public static string DropletsOfApp(Guid app) => $"{Droplets}/{app:D}";

    /// <summary>The partition holding an organization name: names are unique platform-wide, so the name picks it.</summary>
    public static string Organizations(string name) => $"organizations/{NamePartition(name)}";

    public static IReadOnlyList<string> AllOrganizations { get; } = Enumerable.Range(0, Partitions).Select(p => $"organizations/{p}").ToArray();

    /// <summary>The partition holding an admin buildpack name (unique platform-wide).</summary>
    public static string Buildpacks(string name) => $"buildpacks/{NamePartition(name)}";

    public static IReadOnlyList<string> AllBuildpacks { get; } = Enumerable.Range(0, Partitions).Select(p => $"buildpacks/{p}").ToArray();

    /// <summary>The partition holding a UAA user name (unique platform-wide, case-insensitively; entries hold it lower-cased).</summary>
    public static string UaaUsers(string userName) => $"uaa-users/{NamePartition(userName)}";

    public static IReadOnlyList<string> AllUaaUsers { get; } = Enumerable.Range(0, Partitions).Select(p => $"uaa-users/{p}").ToArray();

    /// <summary>The organizations a quota definition applies to.</summary>
    public static string OrganizationsOfQuota(Guid quota) => $"quota-organizations/{quota:D}";

    /// <summary>The catalog partition of one resource of <paramref name="kind"/> (one of the kind constants).</summary>
    public static string Catalog(string kind, Guid guid) => $"catalog-{kind}/{GuidPartition(guid)}";

    public static IReadOnlyList<string> Catalogs(string kind) => [.. Enumerable.Range(0, Partitions).Select(p => $"catalog-{kind}/{p}")];

    /// <summary>The users holding one role in one organization or space (entries named by user name).</summary>
    public static string RoleHolders(Guid organizationOrSpace, string role) => $"roles/{organizationOrSpace:D}/{role}";

    /// <summary>The partition holding a domain name: unique across shared and private domains, platform-wide.</summary>
    public static string Domains(string name) => $"domains/{NamePartition(name)}";

    /// <summary>Every shared domain (few: one index).</summary>
    public const string SharedDomains = "shared-domains";

    /// <summary>The private domains an organization owns.</summary>
    public static string PrivateDomainsOf(Guid organization) => $"private-domains/{organization:D}";

    /// <summary>Routes of a domain, named <c>host|path</c>: what keeps host, domain and path unique platform-wide.</summary>
    public static string RoutesOfDomain(Guid domain) => $"domain-routes/{domain:D}";

    /// <summary>Routes of a space (named by guid).</summary>
    public static string RoutesInSpace(Guid space) => $"routes/{space:D}";

    /// <summary>Routes mapped to an app (named by guid); the routes write these.</summary>
    public static string RoutesOfApp(Guid app) => $"app-routes/{app:D}";

    /// <summary>
    /// The partition holding a host name (<c>host.domain</c>, lower case) that a domain or a route's URL occupies: a
    /// domain claims its name there, a route enters its URL's host name, so neither can take what the other holds.
    /// </summary>
    public static string Hostnames(string hostname) => $"hostnames/{NamePartition(hostname)}";

    /// <summary>The partition holding a quota definition name (unique platform-wide).</summary>
    public static string QuotaDefinitions(string name) => $"quota-definitions/{NamePartition(name)}";

    /// <summary>Every quota definition (few: one index).</summary>
    public const string AllQuotaDefinitions = "quota-definitions";

    /// <summary>The name a route holds in its domain's index: host and path, so only the same host, domain and path clash.</summary>
    public static string RouteAddress(string host, string path) => $"{host}|{path}";

    /// <summary>The scope value entries carry for a guid-scoped resource.</summary>
    public static string Scope(Guid guid) => guid.ToString("D");

    /// <summary>FNV-1a over the upper-cased name: stable across processes and versions, unlike string.GetHashCode.</summary>
    public static int NamePartition(string name)
    {
        var hash = 2166136261u;
        foreach (var c in name.ToUpperInvariant())
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % Partitions);
    }

    public static int GuidPartition(Guid guid)
    {
        Span<byte> bytes = stackalloc byte[16];
        guid.TryWriteBytes(bytes);
        return (int)(BitConverter.ToUInt32(bytes[^4..]) % Partitions);
    }
}
