using System.Net;
using CloudController.LoadTest;
using CloudController.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CloudController.Tests.Api;

/// <summary>
/// <c>/metrics</c>: the storage requests a create causes show up in the Prometheus page, by service, operation and
/// container, beside Orleans' own instruments; the page is for platform-wide readers only.
/// </summary>
[Collection(ApiTier3.Name)]
public sealed class MetricsTests(CloudControllerFixture fixture)
{
    [Fact]
    public async Task StorageRequestsOfACreateAreCountedByOperationAndContainer()
    {
        using var admin = await fixture.Admin();
        using var writer = await fixture.As("writer");
        var space = await AppsTests.NewSpaceAsync(admin);
        var before = Totals(await ScrapeAsync(admin));

        await AppsTests.NewAppAsync(writer, space);

        var page = await Eventually.ValueAsync("the create's storage requests", async () => await (await admin.GetAsync("/metrics")).Content.ReadAsStringAsync(),
            text => Totals(text).GetValueOrDefault("blob PUT") > before.GetValueOrDefault("blob PUT")
                && Totals(text).GetValueOrDefault("table PUT") > before.GetValueOrDefault("table PUT"));
        // The app's state is a blob write into this system's grain-state container, and its audit event's row under the
        // app is a table write into its event table (the rows under its space and day may go in a batch).
        Assert.Contains(page.Split('\n'), line => line.StartsWith("cc_storage_requests_total{", StringComparison.Ordinal)
            && line.Contains($"resource=\"{fixture.GrainStateContainer}\"", StringComparison.Ordinal) && line.Contains("service=\"blob\"", StringComparison.Ordinal));
        Assert.Contains("cc_storage_request_duration_seconds_bucket", page, StringComparison.Ordinal);
        // Orleans' own instruments are checked in a process of their own (FirstRequestsTests): in this one, every tier's
        // host has a meter of Orleans' name, and a host that stops takes the instruments the exporters registered.

        using var anonymous = fixture.Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await writer.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task TheRuntimeGaugeCountsRunningInstancesByState()
    {
        using var writer = await fixture.As("writer");
        var app = await new StagingTests(fixture).AppWithBitsAsync(writer, ("index.html", "<p>gauge</p>"));
        var before = Observe().GetValueOrDefault("RUNNING");
        await (await writer.PutJsonAsync($"/v2/apps/{app}", new { state = "STARTED", instances = 2 })).JsonAsync(HttpStatusCode.Created);
        await StagingTests.WaitForStagingAsync(writer, app);

        await Eventually.ValueAsync("two more running instances in the gauge", () => Task.FromResult(Observe().GetValueOrDefault("RUNNING")), n => n >= before + 2);
        await (await writer.PutJsonAsync($"/v2/apps/{app}", new { state = "STOPPED" })).JsonAsync(HttpStatusCode.Created);
        await Eventually.ValueAsync("the app's instances gone from the gauge", () => Task.FromResult(Observe().GetValueOrDefault("RUNNING")), n => n <= before);
    }

    /// <summary>
    /// Reads <c>cc.runtime.instances</c> of this fixture's silo, as a metrics exporter would (the other test tiers' silos
    /// in this process have gauges of their own).
    /// </summary>
    private Dictionary<string, int> Observe()
    {
        var meter = fixture.Silo.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>()
            .OfType<CloudController.Grains.Runtime.RuntimeMetrics>().Single().Meter;
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        using var listener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter == meter && instrument.Name == "cc.runtime.instances")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<int>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "state" && tag.Value is string state)
                {
                    seen[state] = seen.GetValueOrDefault(state) + value;
                }
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return seen;
    }

    private static async Task<string> ScrapeAsync(HttpClient http)
    {
        var response = await http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>
    /// This system's storage requests on the page: the counters are the process's, and the other test tiers' systems in
    /// this process write too, but only this one writes its grain-state container and event table.
    /// </summary>
    private Dictionary<string, double> Totals(string page)
    {
        var totals = new Dictionary<string, double>(StringComparer.Ordinal);
        StorageCost.Parse(page, totals, r => r == fixture.GrainStateContainer || r == fixture.EventTable);
        return totals;
    }
}
