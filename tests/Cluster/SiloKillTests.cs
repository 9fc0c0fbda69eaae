using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CloudController.Tests.Infrastructure;
using Xunit.Abstractions;

namespace CloudController.Tests.Cluster;

/// <summary>
/// Losing a silo loses nothing: 200 apps are created with bits through the api while one of three silo processes is
/// killed hard. The client retries what failed in flight (as any CF client does on a 5xx); afterwards every app that
/// got a 2xx reads back with its last acknowledged state and every job has finished.
/// </summary>
[Collection(ClusterSuite.Name)]
public sealed class SiloKillTests(ClusterFixture cluster, ITestOutputHelper output)
{
    private const int Apps = 200;
    private const int Concurrency = 8;
    private const int KillAfter = 50;

    [Fact]
    public async Task KillingASiloMidLoadLosesNoAcknowledgedWrite()
    {
        using var http = await cluster.AdminAsync();
        var client = new RetryingClient(http);
        var org = await client.CreateAsync("/v2/organizations", new { name = $"kill-{Guid.NewGuid():N}" });
        var space = await client.CreateAsync("/v2/spaces", new { name = "load", organization_guid = org });
        var zip = Zips.Create(("package.json", Zips.Text("{}"), 0x1A4), ("server.js", Zips.Random(16 * 1024), 0x1A4));

        var acknowledged = new ConcurrentDictionary<string, (int Memory, string Job)>();
        var done = 0;
        var killed = new TaskCompletionSource<long>();
        var victim = cluster.SiloProcesses[1];
        await Parallel.ForEachAsync(Enumerable.Range(0, Apps), new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (i, _) =>
        {
            var name = $"app-{i:D3}";
            var app = await client.CreateAppAsync(name, space);
            var job = await client.UploadAsync(app, zip);
            var memory = 128 + i;
            await client.SendAsync(HttpMethod.Put, $"/v2/apps/{app}", new { memory }, HttpStatusCode.Created);
            acknowledged[app] = (memory, job);
            if (Interlocked.Increment(ref done) == KillAfter)
            {
                victim.Kill();
                killed.SetResult(Stopwatch.GetTimestamp());
                output.WriteLine($"killed {victim.Name} after {KillAfter} apps");
            }
        });

        Assert.True(killed.Task.IsCompleted);
        var killedAt = await killed.Task;
        output.WriteLine($"requests {client.Requests}, retried after a 5xx or a dropped connection: {client.Retries} " +
                         $"(5xx seen: {client.ServerErrors}), failed after retries: {client.Failures.Count}");
        output.WriteLine($"longest outage a request saw after the kill: {client.LongestRetryAfter(killedAt).TotalSeconds:0.0} s");
        Assert.Empty(client.Failures);
        Assert.Equal(Apps, acknowledged.Count);

        // Every job ends without anyone but this poll asking; how long after the kill the last one ended.
        await Parallel.ForEachAsync(acknowledged.Values, new ParallelOptions { MaxDegreeOfParallelism = Concurrency },
            async (ack, _) => await client.WaitForJobAsync(ack.Job, TimeSpan.FromSeconds(120)));
        output.WriteLine($"the last job ended {Stopwatch.GetElapsedTime(killedAt).TotalSeconds:0.0} s after the kill");

        // Every acknowledged write reads back; every job ends (finished: the bits were good) within a bound.
        var jobsDone = Stopwatch.StartNew();
        foreach (var (app, (memory, job)) in acknowledged)
        {
            var entity = (await client.GetJsonAsync($"/v2/apps/{app}")).GetProperty("entity");
            Assert.Equal(memory, entity.GetProperty("memory").GetInt32());
            var ended = await client.WaitForJobAsync(job, TimeSpan.FromSeconds(120));
            Assert.True(ended.GetProperty("status").GetString() == "finished",
                $"job {job}: {ended}\n{string.Join('\n', cluster.SiloProcesses.SelectMany(s => s.Errors()))}");
            await AssertPackagedAsync(client, app);
        }

        output.WriteLine($"all {Apps} apps read back and all jobs finished; checked in {jobsDone.Elapsed.TotalSeconds:0.0} s");
        var listed = await client.GetJsonAsync($"/v2/spaces/{space}/apps?results-per-page=100");
        Assert.Equal(Apps, listed.GetProperty("total_results").GetInt32());
    }

    /// <summary>
    /// A recursive organization delete is a durable job: a silo killed hard while it runs (its grains, and perhaps the
    /// job itself, were there) loses none of it. The job resumes elsewhere, ends finished, and nothing of the
    /// organization is left.
    /// </summary>
    [Fact]
    public async Task ARecursiveOrganizationDeleteSurvivesASiloKilledMidway()
    {
        const int apps = 200;
        using var http = await cluster.AdminAsync();
        var client = new RetryingClient(http);
        var org = await client.CreateAsync("/v2/organizations", new { name = $"doomed-{Guid.NewGuid():N}" });
        var space = await client.CreateAsync("/v2/spaces", new { name = "doomed", organization_guid = org });
        var created = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, apps), new ParallelOptions { MaxDegreeOfParallelism = Concurrency },
            async (i, _) => created.Add(await client.CreateAppAsync($"app-{i:D3}", space)));

        var job = await client.SendAsync(HttpMethod.Delete, $"/v2/organizations/{org}?recursive=true&async=true", new { }, HttpStatusCode.Accepted);
        var url = job.GetProperty("metadata").GetProperty("url").GetString()!;

        // Midway: some apps are gone, not all.
        var left = apps;
        for (var polls = 0; polls < 2000 && left == apps; polls++)
        {
            left = (await client.GetJsonAsync($"/v2/spaces/{space}/apps?results-per-page=1")).GetProperty("total_results").GetInt32();
        }

        cluster.SiloProcesses[2].Kill();
        output.WriteLine($"killed {cluster.SiloProcesses[2].Name} with {left} of {apps} apps left");

        var ended = await client.WaitForJobAsync(url, TimeSpan.FromSeconds(120));
        Assert.True(ended.GetProperty("status").GetString() == "finished",
            $"job {url}: {ended}\n{string.Join('\n', cluster.SiloProcesses.SelectMany(s => s.Errors()))}");
        await client.SendAsync(HttpMethod.Get, $"/v2/organizations/{org}", new { }, HttpStatusCode.NotFound);
        await client.SendAsync(HttpMethod.Get, $"/v2/spaces/{space}", new { }, HttpStatusCode.NotFound);
        foreach (var app in created)
        {
            await client.SendAsync(HttpMethod.Get, $"/v2/apps/{app}", new { }, HttpStatusCode.NotFound);
        }
    }

    /// <summary>
    /// The app reads back with the package its finished job gave it. During a failover Orleans' directory can briefly
    /// hold a second activation of a grain, which answers from the state it loaded; the read is retried (bounded) so
    /// that such a stale reader is told apart from a lost write, and a failure shows what storage holds.
    /// </summary>
    private async Task AssertPackagedAsync(RetryingClient client, string app)
    {
        var reads = 0;
        try
        {
            await Eventually.HoldsAsync($"app {app} shows its package", async () =>
            {
                reads++;
                return (await client.GetJsonAsync($"/v2/apps/{app}")).GetProperty("entity").GetProperty("package_updated_at").ValueKind != JsonValueKind.Null;
            });
        }
        catch (Xunit.Sdk.XunitException)
        {
            var blob = cluster.Blobs.GetBlobContainerClient(cluster.GrainStateContainer).GetBlobClient($"state-app/{Guid.Parse(app):N}.json");
            Assert.Fail($"app {app} has no package 30 s after its job finished; stored: {(await blob.DownloadContentAsync()).Value.Content}");
        }

        if (reads > 1)
        {
            output.WriteLine($"app {app}: package visible after {reads - 1} re-reads");
        }
    }

    /// <summary>
    /// What a careful CF client does: a 5xx or a dropped connection is retried (bounded); a create whose first attempt
    /// may have landed is looked up by name when the retry says the name is taken.
    /// </summary>
    private sealed class RetryingClient(HttpClient http)
    {
        private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(500);
        private const int MaxAttempts = 120;
        private readonly ConcurrentBag<long> _retriedUntil = [];
        private int _requests;
        private int _retries;
        private int _serverErrors;

        public int Requests => _requests;

        public int Retries => _retries;

        public int ServerErrors => _serverErrors;

        public ConcurrentBag<string> Failures { get; } = [];

        public TimeSpan LongestRetryAfter(long killedAt) =>
            _retriedUntil.Where(t => t > killedAt).Select(t => Stopwatch.GetElapsedTime(killedAt, t)).DefaultIfEmpty(TimeSpan.Zero).Max();

        public async Task<string> CreateAsync(string url, object body) =>
            Guid(await SendAsync(HttpMethod.Post, url, body, HttpStatusCode.Created));

        public async Task<string> CreateAppAsync(string name, string space)
        {
            var response = await SendAsync(HttpMethod.Post, "/v2/apps", new { name, space_guid = space }, HttpStatusCode.Created, HttpStatusCode.BadRequest);
            if (response.TryGetProperty("metadata", out _))
            {
                return Guid(response);
            }

            // A retry after a lost response: the first attempt created the app.
            Assert.Equal("CF-AppNameTaken", response.GetProperty("error_code").GetString());
            var found = await GetJsonAsync($"/v2/spaces/{space}/apps?q=name:{name}");
            return Guid(found.GetProperty("resources")[0]);
        }

        public async Task<string> UploadAsync(string app, byte[] zip)
        {
            var job = await SendAsync(() => new HttpRequestMessage(HttpMethod.Put, $"/v2/apps/{app}/bits?async=true") { Content = Zips.Bits([], zip) },
                HttpStatusCode.Created);
            return job.GetProperty("metadata").GetProperty("url").GetString()!;
        }

        public Task<JsonElement> GetJsonAsync(string url) =>
            SendAsync(() => new HttpRequestMessage(HttpMethod.Get, url), HttpStatusCode.OK);

        /// <summary>The job once it has ended (finished or failed); fails the test if it has not within <paramref name="bound"/>.</summary>
        public Task<JsonElement> WaitForJobAsync(string url, TimeSpan bound) =>
            Eventually.ValueAsync($"job {url} to end", async () => (await GetJsonAsync(url)).GetProperty("entity"),
                job => job.GetProperty("status").GetString() is "finished" or "failed", bound);

        public Task<JsonElement> SendAsync(HttpMethod method, string url, object body, params HttpStatusCode[] expected) =>
            SendAsync(() => new HttpRequestMessage(method, url) { Content = JsonContent.Create(body) }, expected);

        private async Task<JsonElement> SendAsync(Func<HttpRequestMessage> request, params HttpStatusCode[] expected)
        {
            var retried = false;
            for (var attempt = 1; ; attempt++)
            {
                Interlocked.Increment(ref _requests);
                using var message = request();
                try
                {
                    using var response = await http.SendAsync(message);
                    if ((int)response.StatusCode < 500)
                    {
                        Assert.Contains(response.StatusCode, expected);
                        if (retried)
                        {
                            _retriedUntil.Add(Stopwatch.GetTimestamp());
                        }

                        return await response.Content.ReadFromJsonAsync<JsonElement>();
                    }

                    Interlocked.Increment(ref _serverErrors);
                    Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    // The request was in flight when the connection went away: retried like a 5xx.
                }

                if (attempt == MaxAttempts)
                {
                    Failures.Add($"{message.Method} {message.RequestUri}");
                    throw new InvalidOperationException($"{message.Method} {message.RequestUri} failed {MaxAttempts} times");
                }

                retried = true;
                Interlocked.Increment(ref _retries);
                await Task.Delay(Pause);
            }
        }

        private static string Guid(JsonElement resource) => resource.GetProperty("metadata").GetProperty("guid").GetString()!;
    }
}
