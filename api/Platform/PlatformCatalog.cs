using CloudController.GrainInterfaces.Errors;
using Microsoft.Extensions.Options;

namespace CloudController.Api.Platform;

/// <summary>Stacks (seeded from configuration like CF's stacks.yml) and the default quota definition's guid.</summary>
internal sealed class PlatformCatalog
{
    // Seeded resources predate every request; a fixed epoch keeps their timestamps identical across instances.
    private static readonly DateTimeOffset Seeded = new(2016, 6, 30, 0, 0, 0, TimeSpan.Zero);

    public PlatformCatalog(IOptions<PlatformOptions> options)
    {
        var platform = options.Value;
        var definitions = platform.Stacks.Count > 0
            ? platform.Stacks
            : [new StackDefinition { Name = platform.DefaultStack, Description = "Cloud Foundry Linux-based filesystem" }];
        Stacks = [.. definitions.Select(d => new Stack(NameBasedGuid.Create("stack", d.Name), d.Name, d.Description, Seeded))];
        DefaultStack = Stacks.FirstOrDefault(s => s.Name == platform.DefaultStack)
            ?? throw new InvalidOperationException($"CloudController:Platform:DefaultStack '{platform.DefaultStack}' is not among the configured stacks.");
        DefaultQuotaDefinitionGuid = NameBasedGuid.Create("quota_definition", platform.DefaultQuotaDefinition);
        var q = platform.DefaultQuota;
        DefaultQuota = GrainInterfaces.Quotas.QuotaLimits.Default(platform.DefaultQuotaDefinition) with
        {
            MemoryLimit = q.MemoryLimit,
            InstanceMemoryLimit = q.InstanceMemoryLimit,
            AppInstanceLimit = q.AppInstanceLimit,
            TotalRoutes = q.TotalRoutes,
            TotalServices = q.TotalServices,
        };
        SharedDomains = [.. (platform.SharedDomains is { Length: > 0 } names ? names : ["apps.localhost"])
            .Select(n => n.Trim().ToLowerInvariant()).Where(n => n.Length > 0).Distinct()
            .Select(n => (NameBasedGuid.Create("shared_domain", n), n))];
    }

    /// <summary>The configured default quota (seeded as a quota definition under <see cref="DefaultQuotaDefinitionGuid"/>).</summary>
    public GrainInterfaces.Quotas.QuotaLimits DefaultQuota { get; }

    /// <summary>The configured shared domains (seeded as domains under these guids), the default first.</summary>
    public IReadOnlyList<(Guid Guid, string Name)> SharedDomains { get; }

    public IReadOnlyList<Stack> Stacks { get; }

    public Stack DefaultStack { get; }

    public Guid DefaultQuotaDefinitionGuid { get; }

    public Stack Stack(Guid guid) =>
        Stacks.FirstOrDefault(s => s.Guid == guid)
            ?? throw new CloudControllerException(CfErrorCode.StackNotFound, $"The stack could not be found: {guid}");
}
