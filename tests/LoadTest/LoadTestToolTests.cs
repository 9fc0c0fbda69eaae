using System.Text.Json;
using CloudController.LoadTest;

namespace CloudController.Tests.LoadTest;

/// <summary>The load-test tool's own logic: its command line, its statistics, the shapes it insists on, its report.</summary>
public sealed class LoadTestToolTests
{
    [Fact]
    public void ParsesEveryOptionAndDefaultsTheRest()
    {
        var options = LoadTestOptions.Parse(["--url", "http://127.0.0.1:9022", "--apps", "20", "--concurrency", "4", "--duration", "60",
            "--bits-size", "1000", "--files", "10", "--scenario", "upload", "--json", "out.json"]);

        Assert.Equal(new Uri("http://127.0.0.1:9022"), options.Url);
        Assert.Equal((20, 4, TimeSpan.FromSeconds(60), 1000L, 10, "upload", "out.json"),
            (options.Apps, options.Concurrency, options.Duration, options.BitsSize, options.Files, options.Scenario, options.JsonPath));
        var defaults = LoadTestOptions.Parse(["--url", "http://localhost:1", "--apps", "1", "--concurrency", "1"]);
        Assert.Equal(("lifecycle", 16384L, 4, (TimeSpan?)null, "admin"), (defaults.Scenario, defaults.BitsSize, defaults.Files, defaults.Duration, defaults.User));
    }

    [Theory]
    [InlineData("--apps 1 --concurrency 1", "--url is required")]
    [InlineData("--url http://10.0.0.5:9022 --apps 1 --concurrency 1", "not a loopback address")]
    [InlineData("--url ftp://127.0.0.1 --apps 1 --concurrency 1", "not an http(s) URL")]
    [InlineData("--url http://127.0.0.1 --apps 0 --concurrency 1", "--apps wants a positive whole number")]
    [InlineData("--url http://127.0.0.1 --apps 1 --concurrency -3", "--concurrency wants a positive whole number")]
    [InlineData("--url http://127.0.0.1 --apps 1 --concurrency 1 --scenario smash", "--scenario 'smash' is unknown")]
    [InlineData("--url http://127.0.0.1 --apps 1 --concurrency 1 --speed 9", "unknown option --speed")]
    [InlineData("--url http://127.0.0.1 --apps 1 --concurrency 1 --files 10 --bits-size 5", "at least one byte per file")]
    [InlineData("--url http://127.0.0.1 --apps", "unexpected argument '--apps'")]
    public void RejectsBadCommandLinesWithAReason(string args, string reason)
    {
        var error = Assert.Throws<UsageException>(() => LoadTestOptions.Parse(args.Split(' ')));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARemoteTargetNeedsAllowRemote() =>
        Assert.Equal("10.0.0.5", LoadTestOptions.Parse(["--url", "http://10.0.0.5", "--apps", "1", "--concurrency", "1", "--allow-remote"]).Url.Host);

    [Fact]
    public void PercentilesAreNearestRank()
    {
        double[] sorted = [.. Enumerable.Range(1, 100).Select(i => (double)i)];

        Assert.Equal((50, 95, 99, 100), (OperationStats.Percentile(sorted, 50), OperationStats.Percentile(sorted, 95),
            OperationStats.Percentile(sorted, 99), OperationStats.Percentile(sorted, 100)));
        Assert.Equal(7, OperationStats.Percentile([7], 99));
        Assert.Equal(0, OperationStats.Percentile([], 50));
    }

    [Fact]
    public void StatisticsCountSuccessesErrorsAndBytesPerOperation()
    {
        var stats = new RunStatistics();
        foreach (var ms in new[] { 30.0, 10, 20 })
        {
            stats.For("create-app").Success(ms, 100);
        }

        stats.For("create-app").Error("503 CF-ServiceUnavailable");
        stats.For("create-app").Error("503 CF-ServiceUnavailable");
        stats.For("get").Error("bad-shape");
        stats.UnitDone(succeeded: true);
        stats.UnitDone(succeeded: false);

        var summary = stats.Summarize(TimeSpan.FromSeconds(2));
        Assert.Equal(["create-app", "get"], summary.Select(s => s.Name));
        var create = summary[0];
        Assert.Equal((3, 1.5, 20.0, 30.0, 300L), (create.Count, create.PerSecond, create.P50Ms, create.MaxMs, create.BytesSent));
        Assert.Equal(2, create.Errors["503 CF-ServiceUnavailable"]);
        Assert.Equal((2, 1, 6, 3), (stats.Completed, stats.FailedUnits, stats.Requests, stats.Errors));
    }

    [Fact]
    public async Task EachOperationIsReportedOnceHoweverManyWorkersMeetItFirst()
    {
        for (var round = 0; round < 50; round++)
        {
            var stats = new RunStatistics();
            using var start = new Barrier(8);
            await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
            {
                start.SignalAndWait();
                stats.For("create-app").Success(1, 0);
                stats.For("poll-job").Success(1, 0);
            })));

            var summary = stats.Summarize(TimeSpan.FromSeconds(1));
            Assert.Equal(["create-app", "poll-job"], summary.Select(s => s.Name));
            Assert.Equal(8, summary[0].Count);
        }
    }

    [Fact]
    public void OnlyFilesStrictlyInsideTheResourcePoolLimitsAreExpectedToMatch()
    {
        Assert.False(AppBits.Matchable(65536));
        Assert.True(AppBits.Matchable(65537));
        Assert.True(AppBits.Matchable(512L * 1024 * 1024 - 1));
        Assert.False(AppBits.Matchable(512L * 1024 * 1024));
    }

    [Fact]
    public void ShapesRejectWhatARealCloudControllerWouldNotSend()
    {
        var app = Json("""{"metadata":{"guid":"g","url":"/v2/apps/g"},"entity":{"name":"web","state":"STOPPED","package_state":"PENDING"}}""");
        Assert.True(Shapes.V2App("web")(app));
        Assert.False(Shapes.V2App("other")(app));
        Assert.False(Shapes.V2Resource(Json("""{"metadata":{"guid":"g"},"entity":{}}""")));
        Assert.True(Shapes.V2Job(Json("""{"metadata":{"guid":"j","url":"/v2/jobs/j"},"entity":{"status":"queued"}}""")));
        Assert.False(Shapes.V2Job(Json("""{"metadata":{"guid":"j","url":"/v2/jobs/j"},"entity":{"status":"sleeping"}}""")));
        Assert.True(Shapes.V3Package(Json("""{"guid":"p","created_at":"x","state":"READY","type":"bits","_links":{}}""")));
        Assert.False(Shapes.V3Package(Json("""{"guid":"p","created_at":"x","state":"READY","type":"bits"}""")));
        Assert.Equal("CF-AppNameTaken", Shapes.ErrorCode(Json("""{"code":100002,"error_code":"CF-AppNameTaken"}""")));
        Assert.Equal("CF-ResourceNotFound", Shapes.ErrorCode(Json("""{"errors":[{"code":10010,"title":"CF-ResourceNotFound"}]}""")));
        Assert.Equal("", Shapes.ErrorCode(null));
        Assert.True(Shapes.EmptyObject(Json("{}")));
        Assert.False(Shapes.EmptyObject(app));
        Assert.False(Shapes.EmptyObject(Json("[]")));
    }

    [Fact]
    public void TheJsonReportCarriesTheTable()
    {
        var stats = new RunStatistics();
        stats.For("create-app").Success(12.5, 0);
        stats.For("create-app").Error("500 UnknownError");
        var options = LoadTestOptions.Parse(["--url", "http://127.0.0.1:1", "--apps", "1", "--concurrency", "1", "--scenario", "create-only"]);

        var json = Json(Report.Json(options, TimeSpan.FromSeconds(1), 1, 0, stats.Summarize(TimeSpan.FromSeconds(1))));

        Assert.Equal("create-only", json.GetProperty("scenario").GetString());
        var operation = json.GetProperty("operations")[0];
        Assert.Equal(("create-app", 1, 12.5, 1), (operation.GetProperty("name").GetString(), operation.GetProperty("count").GetInt32(),
            operation.GetProperty("p99_ms").GetDouble(), operation.GetProperty("errors").GetProperty("500 UnknownError").GetInt32()));
        Assert.Contains("create-app", Report.Table(stats.Summarize(TimeSpan.FromSeconds(1))), StringComparison.Ordinal);
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();
}
