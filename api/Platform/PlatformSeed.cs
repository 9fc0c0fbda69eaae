using CloudController.GrainInterfaces.Domains;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Quotas;

namespace CloudController.Api.Platform;

/// <summary>
/// Makes sure what configuration declares exists as resources: the default quota definition and the shared
/// domains. Every front-end does it before the first request that needs them (idempotent: the guids are derived from
/// the names, so concurrent front-ends create each once); a failed attempt is retried by the next request.
/// A configured domain whose name a private domain already holds is logged and skipped.
/// </summary>
internal sealed partial class PlatformSeed(IGrainFactory grains, PlatformCatalog catalog, ILogger<PlatformSeed> logger)
{
    private readonly Lock _gate = new();
    private Task? _seeded;

    public Task EnsureAsync()
    {
        lock (_gate)
        {
            if (_seeded is null || _seeded.IsFaulted || _seeded.IsCanceled)
            {
                _seeded = SeedAsync();
            }

            return _seeded;
        }
    }

    private async Task SeedAsync()
    {
        await grains.GetGrain<IQuotaDefinitionGrain>(catalog.DefaultQuotaDefinitionGuid).EnsureAsync(catalog.DefaultQuota);
        foreach (var (guid, name) in catalog.SharedDomains)
        {
            try
            {
                await grains.GetGrain<IDomainGrain>(guid).EnsureAsync(new CreateDomain(name, null, Internal: false, RouterGroupType: null));
            }
            catch (CloudControllerException e) when (e.Code is CfErrorCode.DomainNameTaken or CfErrorCode.DomainInvalid)
            {
                LogDomainSkipped(name, e.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Configured shared domain {Name} was not created: {Reason}")]
    private partial void LogDomainSkipped(string name, string reason);
}
