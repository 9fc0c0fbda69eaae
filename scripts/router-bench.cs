// The router under load, beside its yardstick in the same run: GETs of one app through the router (Host header
// naming the app) and straight to the instance's own port, alternating so both see the same machine.
//   dotnet run scripts/router-bench.cs compare ROUTER_URL HOSTNAME DIRECT_URL [SECONDS=10] [CONCURRENCY=16] [ROUNDS=2]
//   dotnet run scripts/router-bench.cs steady ROUTER_URL HOSTNAME RATE SECONDS   (a fixed request rate; prints failures)
// Loopback only; each phase is bounded by SECONDS and stops by itself.
using System.Diagnostics;
using System.Globalization;
using System.Net;

var mode = args.Length > 0 ? args[0] : throw new ArgumentException("usage: compare|steady ...");
var handler = new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
var router = new Uri(args[1]);
var hostname = args[2];
if (!router.IsLoopback)
{
    throw new ArgumentException("the load test targets 127.0.0.1 only");
}

if (mode == "compare")
{
    var direct = new Uri(args[3]);
    var seconds = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 10;
    var concurrency = args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : 16;
    var rounds = args.Length > 6 ? int.Parse(args[6], CultureInfo.InvariantCulture) : 2;
    await RunAsync(router, hostname, 1, 1); // warm both paths
    await RunAsync(direct, null, 1, 1);
    for (var round = 1; round <= rounds; round++)
    {
        var viaRouter = await RunAsync(router, hostname, seconds, concurrency);
        var straight = await RunAsync(direct, null, seconds, concurrency);
        Console.WriteLine($"round {round}: router {viaRouter.Rate:F0} req/s p50 {viaRouter.P50:F2} ms p99 {viaRouter.P99:F2} ms ({viaRouter.Failed} failed) | " +
            $"direct {straight.Rate:F0} req/s p50 {straight.P50:F2} ms p99 {straight.P99:F2} ms ({straight.Failed} failed) | " +
            $"router/direct {viaRouter.Rate / straight.Rate:P0}, added p99 {viaRouter.P99 - straight.P99:F2} ms");
    }
}
else
{
    var rate = int.Parse(args[3], CultureInfo.InvariantCulture);
    var seconds = int.Parse(args[4], CultureInfo.InvariantCulture);
    var failures = new Dictionary<string, int>();
    var sent = 0;
    var clock = Stopwatch.StartNew();
    var pending = new List<Task>();
    while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
    {
        var due = TimeSpan.FromSeconds(sent / (double)rate);
        if (clock.Elapsed < due)
        {
            await Task.Delay(due - clock.Elapsed);
        }

        sent++;
        pending.Add(Task.Run(async () =>
        {
            var outcome = await GetAsync(router, hostname);
            if (outcome is not null)
            {
                lock (failures)
                {
                    failures[outcome] = failures.GetValueOrDefault(outcome) + 1;
                }
            }
        }));
    }

    await Task.WhenAll(pending);
    Console.WriteLine($"steady: {sent} requests at {rate}/s over {seconds} s, {failures.Values.Sum()} failed" +
        (failures.Count > 0 ? ": " + string.Join(", ", failures.Select(f => $"{f.Key} x{f.Value}")) : ""));
}

async Task<string?> GetAsync(Uri target, string? host)
{
    try
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, target);
        if (host is not null)
        {
            request.Headers.Host = host;
        }

        using var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response.StatusCode == HttpStatusCode.OK ? null
            : $"{(int)response.StatusCode} {string.Join(",", response.Headers.TryGetValues("X-Cf-Routererror", out var e) ? e : [])}";
    }
    catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
    {
        return ex.GetType().Name;
    }
}

async Task<(double Rate, double P50, double P99, int Failed)> RunAsync(Uri target, string? host, int seconds, int concurrency)
{
    var latencies = new List<double>[concurrency];
    var failed = 0;
    var deadline = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
    {
        var mine = latencies[worker] = [];
        while (deadline.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            var started = Stopwatch.GetTimestamp();
            if (await GetAsync(target, host) is not null)
            {
                Interlocked.Increment(ref failed);
            }

            mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }));
    var all = latencies.SelectMany(l => l).Order().ToArray();
    return (all.Length / deadline.Elapsed.TotalSeconds, all[all.Length / 2], all[Math.Min(all.Length - 1, (int)(all.Length * 0.99))], failed);
}
