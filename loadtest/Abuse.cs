using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Compression;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;

namespace CloudController.LoadTest;

/// <summary>
/// The <c>abuse</c> scenario's other half: while the measured units (a steady loop of creates) run, a burst of abusive
/// requests a hostile or careless tenant could send, on a client of its own (their answers are counted, not checked):
/// large environments on many apps, a Procfile with a thousand process types, resource matches of ten thousand
/// fingerprints. Afterwards it tells how the creates fared before, during and after, and how long after the burst
/// ended creates were back to their speed before it.
/// </summary>
internal sealed class Abuse(HttpClient http, string space, string run, string workDirectory)
{
    public const int EnvironmentApps = 50;
    public const int EnvironmentBytes = 1024 * 1024;
    public const int ProcessTypes = 1000;
    public const int Matches = 4;
    public const int Fingerprints = 10_000;

    private readonly ConcurrentQueue<(long At, double Milliseconds)> _creates = new();
    private readonly ConcurrentDictionary<string, int> _answers = new();
    private long _started;
    private long _ended;

    /// <summary>A create of the measured loop ended at <paramref name="at"/> after <paramref name="milliseconds"/>.</summary>
    public void CreateTook(long at, double milliseconds) => _creates.Enqueue((at, milliseconds));

    /// <summary>Waits <paramref name="after"/> (the loop's undisturbed speed), then sends every abusive request at once.</summary>
    public async Task RunAsync(TimeSpan after, CancellationToken cancellationToken)
    {
        await Task.Delay(after, cancellationToken);
        _started = Stopwatch.GetTimestamp();
        await Task.WhenAll(EnvironmentsAsync(), ProcfileAsync(), MatchesAsync());
        _ended = Stopwatch.GetTimestamp();
    }

    /// <summary>What the run saw, as lines for the report.</summary>
    public IEnumerable<string> Notes()
    {
        if (_ended == 0)
        {
            yield return "abuse: the burst had not ended when the run stopped (raise --duration)";
            yield break;
        }

        var creates = _creates.ToArray();
        var before = creates.Where(c => c.At < _started).Select(c => c.Milliseconds).Order().ToList();
        var during = creates.Where(c => c.At >= _started && c.At <= _ended).Select(c => c.Milliseconds).Order().ToList();
        var after = creates.Where(c => c.At > _ended).OrderBy(c => c.At).ToList();
        yield return $"abuse: burst took {Stopwatch.GetElapsedTime(_started, _ended).TotalSeconds:0.0} s; answers {string.Join(", ", _answers.OrderBy(a => a.Key).Select(a => $"{a.Key} x{a.Value}"))}";
        yield return $"abuse: creates before {Describe(before)}; during {Describe(during)}; after {Describe([.. after.Select(a => a.Milliseconds).Order()])}";

        // Normal again: from the first create after the burst from which every create for 5 s is as fast as the slowest
        // tenth before it (its p90), at least 1.5 times its median.
        var normal = Math.Max(Percentile(before, 0.90), 1.5 * Percentile(before, 0.50));
        var window = Stopwatch.Frequency * 5;
        var back = after.Select((c, i) => (c, i)).FirstOrDefault(x =>
            after.Skip(x.i).TakeWhile(n => n.At - x.c.At <= window).All(n => n.Milliseconds <= normal)
            && after[^1].At - x.c.At >= window).c;
        yield return back.At == 0
            ? $"abuse: creates were not back to normal (<= {normal:0} ms) for 5 s before the run ended"
            : $"abuse: creates back to normal (<= {normal:0} ms for 5 s) {Stopwatch.GetElapsedTime(_ended, back.At).TotalSeconds:0.0} s after the burst ended";
    }

    private static string Describe(List<double> sorted) =>
        sorted.Count == 0 ? "none" : $"{sorted.Count} (p50 {Percentile(sorted, 0.5):0} ms, p99 {Percentile(sorted, 0.99):0} ms, max {sorted[^1]:0} ms)";

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private async Task EnvironmentsAsync()
    {
        var value = new string('x', EnvironmentBytes);
        await Parallel.ForEachAsync(Enumerable.Range(0, EnvironmentApps), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var app = await CreateAsync($"abuse-env-{i}");
            if (app is not null)
            {
                await SendAsync("env", HttpMethod.Put, $"/v2/apps/{app}", JsonContent.Create(new { environment_json = new { BIG = value } }));
            }
        });
    }

    private async Task ProcfileAsync()
    {
        var app = await CreateAsync("abuse-procfile");
        if (app is null)
        {
            return;
        }

        var procfile = new StringBuilder("web: ./serve\n");
        for (var i = 0; i < ProcessTypes; i++)
        {
            procfile.Append(System.Globalization.CultureInfo.InvariantCulture, $"t{i}: ./work {i}\n");
        }

        var zip = Path.Combine(workDirectory, "abuse-procfile.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            await using (var entry = archive.CreateEntry("Procfile").Open())
            {
                await entry.WriteAsync(Encoding.UTF8.GetBytes(procfile.ToString()));
            }

            await using (var index = archive.CreateEntry("index.html").Open())
            {
                await index.WriteAsync("hello"u8.ToArray());
            }
        }

        var form = new MultipartFormDataContent
        {
            { new StringContent("[]"), "resources" },
            { new ByteArrayContent(await File.ReadAllBytesAsync(zip)), "application", "application.zip" },
        };
        await SendAsync("procfile-bits", HttpMethod.Put, $"/v2/apps/{app}/bits", form);
        await SendAsync("procfile-start", HttpMethod.Put, $"/v2/apps/{app}", JsonContent.Create(new { state = "STARTED", memory = 64 }));
        for (var i = 0; i < 600; i++)
        {
            using var response = await http.GetAsync($"/v2/apps/{app}");
            var body = await response.Content.ReadAsStringAsync();
            if (!body.Contains("\"PENDING\"", StringComparison.Ordinal))
            {
                Count($"procfile-staged {(int)response.StatusCode}");
                return;
            }

            await Task.Delay(100);
        }

        Count("procfile-still-pending");
    }

    private Task MatchesAsync() => Task.WhenAll(Enumerable.Range(0, Matches).Select(async _ =>
    {
        var fingerprints = Enumerable.Range(0, Fingerprints)
            .Select(i => new { fn = $"f{i}", sha1 = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20)), size = 100_000 + i, mode = "644" })
            .ToArray();
        await SendAsync("match", HttpMethod.Put, "/v2/resource_match", JsonContent.Create(fingerprints));
    }));

    private async Task<string?> CreateAsync(string name)
    {
        using var response = await http.PostAsJsonAsync("/v2/apps", new { name = $"lt-{run}-{name}", space_guid = space });
        Count($"create {(int)response.StatusCode}");
        return response.IsSuccessStatusCode
            ? System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("metadata").GetProperty("guid").GetString()
            : null;
    }

    private async Task SendAsync(string kind, HttpMethod method, string url, HttpContent content)
    {
        try
        {
            using var response = await http.SendAsync(new HttpRequestMessage(method, url) { Content = content });
            Count($"{kind} {(int)response.StatusCode}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            Count($"{kind} {ex.GetType().Name}");
        }
    }

    private void Count(string answer) => _answers.AddOrUpdate(answer, 1, (_, n) => n + 1);
}
