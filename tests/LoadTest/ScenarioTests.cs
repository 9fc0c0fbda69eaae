using CloudController.LoadTest;
using CloudController.Tests.Infrastructure;

namespace CloudController.Tests.LoadTest;

/// <summary>
/// The load-test scenarios against the real API pipeline and silo: each expects exactly what this server (and CF)
/// answers, so a scenario that misreads a response shows up here rather than as a failed benchmark.
/// </summary>
[Collection(ApiTier4.Name)]
public sealed class ScenarioTests(CloudControllerFixture system) : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("cc-scenario-test-");

    [Theory]
    [InlineData("lifecycle", "1", "2")]
    [InlineData("lifecycle-v3", "2", "2")]
    [InlineData("create-only", "1", "3")]
    [InlineData("read-heavy", "1", "4")]
    [InlineData("read-heavy-roles", "1", "4")]
    [InlineData("upload", "4", "2")]
    [InlineData("v3-platform", "1", "3", "--orgs", "3")]
    [InlineData("events", "1", "60")]
    public async Task EveryUnitOfAScenarioSucceedsAgainstTheRealServer(string scenario, string files, string units, params string[] more)
    {
        var options = LoadTestOptions.Parse(["--url", "http://localhost", "--scenario", scenario, "--apps", units, "--concurrency", "2",
            "--files", files, "--bits-size", (int.Parse(files, System.Globalization.CultureInfo.InvariantCulture) * 70_000).ToString(System.Globalization.CultureInfo.InvariantCulture),
            .. more]);
        var stats = new RunStatistics();
        var scenarios = new Scenarios(options, new CfClient(system.Anonymous(), stats), stats, _work.FullName, () => new CfClient(system.Anonymous(), stats));

        await scenarios.SetUpAsync();
        for (var i = 0; i < options.Apps; i++)
        {
            await scenarios.RunUnitAsync(i);
            stats.UnitDone(succeeded: true);
        }

        scenarios.TearDown();
        var summary = stats.Summarize(TimeSpan.FromSeconds(1));
        Assert.Equal(0, stats.Errors);
        if (scenario == "upload")
        {
            // Every file is at least 64 KiB, so the second upload sends fingerprints only.
            var fingerprinted = summary.Single(o => o.Name == "upload-fingerprinted");
            Assert.Equal(options.Apps, fingerprinted.Count);
            Assert.InRange(fingerprinted.BytesSent, 1, 10_000);
        }
    }

    public void Dispose() => _work.Delete(recursive: true);
}
