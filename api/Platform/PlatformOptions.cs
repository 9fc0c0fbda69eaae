namespace CloudController.Api.Platform;

/// <summary>Platform catalog (configuration section <c>CloudController:Platform</c>): stacks, shared domains and the default quota.</summary>
internal sealed class PlatformOptions
{
    public string DefaultStack { get; set; } = "cflinuxfs2";

    public List<StackDefinition> Stacks { get; set; } = [];

    public string DefaultQuotaDefinition { get; set; } = "default";

    /// <summary>The default quota's limits (CF's defaults: 10 GB of memory, 1,000 routes, 100 services, no other limit).</summary>
    public QuotaDefaults DefaultQuota { get; set; } = new();

    /// <summary>Shared domains every organization may make routes in; the first is the default <c>cf push</c> uses.
    /// Null or empty: <c>apps.localhost</c>.</summary>
    public string[]? SharedDomains { get; set; }
}

internal sealed class QuotaDefaults
{
    public long MemoryLimit { get; set; } = 10240;

    public long InstanceMemoryLimit { get; set; } = -1;

    public int AppInstanceLimit { get; set; } = -1;

    public int TotalRoutes { get; set; } = 1000;

    public int TotalServices { get; set; } = 100;
}

internal sealed class StackDefinition
{
    public string Name { get; set; } = "";

    public string Description { get; set; } = "";
}
