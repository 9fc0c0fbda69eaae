using System.Net;
using CloudController.LoadTest;
using CloudController.Tests.Infrastructure;

namespace CloudController.Tests.Api;

/// <summary>
/// <c>/metrics</c>: the storage requests a create causes show up in the Prometheus page, by service, operation and
/// container, beside Orleans' own instruments; the page is for platform-wide readers only.
/// </summary>
[Collection(CloudControllerSuite.Name)]
public sealed class MetricsTests(CloudControllerFixture fixture)
{
    [Fact]
    public async Task StorageRequestsOfACreateAreCountedByOperationAndContainer()
    {
        using var admin = await fixture.Admin();
        using var writer = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(admin);
        var before = await ScrapeAsync(admin);

        await AppsTests.NewAppAsync(writer, space);

        var page = await Eventually.ValueAsync("the create's storage requests", async () => await (await admin.GetAsync("/metrics")).Content.ReadAsStringAsync(),
            text => Totals(text).GetValueOrDefault("blob PUT") > before.GetValueOrDefault("blob PUT"));
        var after = Totals(page);
        // The app's state is a blob write into grain-state, and its audit events table writes.
        Assert.Contains(page.Split('\n'), line => line.StartsWith("cc_storage_requests_total{", StringComparison.Ordinal)
            && line.Contains($"resource=\"{fixture.GrainStateContainer}\"", StringComparison.Ordinal) && line.Contains("service=\"blob\"", StringComparison.Ordinal));
        Assert.True(after.GetValueOrDefault("table PUT") > before.GetValueOrDefault("table PUT"), "the audit event was not counted");
        Assert.Contains("cc_storage_request_duration_seconds_bucket", page, StringComparison.Ordinal);
        Assert.Contains("orleans_", page, StringComparison.Ordinal);

        using var anonymous = fixture.Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await writer.GetAsync("/metrics")).StatusCode);
    }

    private static async Task<Dictionary<string, double>> ScrapeAsync(HttpClient http)
    {
        var response = await http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Totals(await response.Content.ReadAsStringAsync());
    }

    private static Dictionary<string, double> Totals(string page)
    {
        var totals = new Dictionary<string, double>(StringComparer.Ordinal);
        StorageCost.Parse(page, totals);
        return totals;
    }
}
