using Azure.Core;
using CloudController.GrainInterfaces.Errors;
using CloudController.GrainInterfaces.Quotas;
using CloudController.Tests.Infrastructure;

namespace CloudController.Tests.Grains;

/// <summary>
/// An organization's usage ledger whose write failed refuses changes while it reloads what is stored, and its reload
/// retries (through the silo's retry pipeline) on the silo's clock until storage answers: the failed change is not counted.
/// </summary>
[Collection(GrainTier.Name)]
public sealed class UsageLedgerReloadTests(GrainTierFixture fixture)
{
    [Fact]
    public async Task ALedgerWhoseWriteFailedRefusesChangesUntilItsReloadSucceedsOnTheSilosClock()
    {
        var organization = Guid.NewGuid();
        var ledger = fixture.Grains.GetGrain<IOrganizationUsageGrain>(organization);
        await ledger.ReserveRouteAsync(Guid.NewGuid());
        var blob = organization.ToString("N");

        using (fixture.Faults.Fail(StorageFaults.WritesTo(blob)))
        using (var reads = fixture.Faults.Fail(request => request.Method == RequestMethod.Get && Uri.UnescapeDataString(request.Uri.Path).Contains(blob, StringComparison.Ordinal)))
        {
            await Assert.ThrowsAnyAsync<Exception>(() => ledger.ReserveRouteAsync(Guid.NewGuid()));
            await Assert.ThrowsAsync<TransientException>(() => ledger.ReserveRouteAsync(Guid.NewGuid()));

            // The reload's first read has failed (an injected fault is not retried by the storage client); its next try
            // waits on the silo's clock.
            await Eventually.HoldsAsync("the reload's first read to fail", () => Task.FromResult(reads.Hits >= 1));
        }

        // Storage answers again, but the clock has not moved: the ledger is still reloading.
        await Assert.ThrowsAsync<TransientException>(() => ledger.ReserveRouteAsync(Guid.NewGuid()));

        await Eventually.HoldsAsync("the ledger to take changes again", async () =>
        {
            fixture.Clock.Advance(TimeSpan.FromSeconds(5));
            try
            {
                await ledger.ReserveRouteAsync(Guid.NewGuid());
                return true;
            }
            catch (TransientException)
            {
                return false;
            }
        });

        // The route stored before the failure and the one just taken; none of the refused ones.
        Assert.Equal(2, (await ledger.UsageAsync()).Routes);
    }
}
