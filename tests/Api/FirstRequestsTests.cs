using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CloudController.Tests.Infrastructure;

namespace CloudController.Tests.Api;

/// <summary>
/// A freshly started API process answers its very first requests, many at once and of every kind, without a 500:
/// nothing it shares between requests (JSON options, caches) is completed lazily by whichever request comes first.
/// </summary>
[Collection(ApiTier2.Name)]
public sealed class FirstRequestsTests(CloudControllerFixture fixture)
{
    [Fact]
    public async Task SixtyFourConcurrentFirstRequestsOfEveryKindAnswerWithoutA500()
    {
        await using var api = HostProcess.Api("fresh-api", new Dictionary<string, string>
        {
            ["ORLEANS_GATEWAY_PORT"] = fixture.GatewayPort.ToString(CultureInfo.InvariantCulture),
            ["Uaa__SigningKey"] = fixture.TokenKey.ExportRSAPrivateKeyPem(),
            ["CloudController__Bits__ContainerPrefix"] = fixture.BitsContainerPrefix,
            ["Logging__LogLevel__Default"] = "Warning",
        });
        api.Start();
        using var http = new HttpClient { BaseAddress = api.HttpAddress };
        await api.WaitReadyAsync(http, 1, TimeSpan.FromSeconds(60));
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("bearer", await CloudControllerFixture.PasswordGrantAsync(http, "admin", "admin"));
        var app = Guid.NewGuid();
        var sha1 = new string('a', 40);
        Func<Task<HttpResponseMessage>>[] kinds =
        [
            () => http.GetAsync("/"),
            () => http.GetAsync("/v2/info"),
            () => http.GetAsync("/v3"),
            () => http.GetAsync("/v2/organizations"),
            () => http.GetAsync("/v3/organizations?order_by=name"),
            () => http.GetAsync("/v3/apps?per_page=5"),
            () => http.GetAsync("/v2/apps?results-per-page=5"),
            () => http.GetAsync($"/v2/apps/{app}"),
            () => http.GetAsync($"/v3/apps/{app}"),
            () => http.GetAsync("/v3/processes"),
            () => http.GetAsync("/v2/events"),
            () => http.GetAsync("/v2/stacks"),
            () => http.GetAsync("/v3/nothing-here"),
            () => http.PutAsync("/v2/resource_match", new StringContent($"[{{\"sha1\":\"{sha1}\",\"size\":1}}]", Encoding.UTF8, "application/json")),
            () => http.PostAsync("/v2/apps", new StringContent("{\"name\":", Encoding.UTF8, "application/json")),
            () => http.PostAsJsonAsync("/v3/apps", new { name = "x", relationships = new { space = new { data = new { guid = Guid.NewGuid() } } } }),
        ];

        var answers = await Task.WhenAll(Enumerable.Range(0, 64).Select(async i =>
        {
            using var response = await kinds[i % kinds.Length]();
            return (Kind: i % kinds.Length, response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }));

        var failed = answers.Where(a => (int)a.StatusCode >= 500).ToList();
        Assert.True(failed.Count == 0, $"500s among the first requests: {string.Join("; ", failed.Select(f => $"#{f.Kind} {(int)f.StatusCode} {f.Body}"))}\n"
            + string.Join('\n', api.Errors()));
        Assert.All(answers, a => JsonDocument.Parse(a.Body));

        // A process of its own, so this is where Orleans' own instruments are checked in /metrics: in the test
        // process, each of the tiers' hosts creates a "Microsoft.Orleans" meter of the same name, and one host's
        // stopping takes the instruments the others' exporters had registered under that name.
        var metrics = await Eventually.ValueAsync("Orleans' instruments in the fresh API's /metrics",
            async () => await http.GetStringAsync("/metrics"), page => page.Contains("orleans_", StringComparison.Ordinal));
        Assert.Contains("http_server_request_duration_seconds", metrics, StringComparison.Ordinal);
    }
}
