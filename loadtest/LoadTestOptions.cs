using System.Globalization;
using System.Net;

namespace CloudController.LoadTest;

/// <summary>The command line: <c>--url URL --apps N --concurrency C [--duration S] [--bits-size BYTES] [--files N] [--scenario NAME] [--json FILE]</c>.</summary>
internal sealed record LoadTestOptions(
    Uri Url,
    int Apps,
    int Concurrency,
    TimeSpan? Duration,
    long BitsSize,
    int Files,
    string Scenario,
    string? JsonPath,
    string User,
    string Password,
    bool AllowRemote,
    int Spaces = 1)
{
    /// <summary>v3-platform: the organizations to create (cf orgs lists them).</summary>
    public int Orgs { get; init; } = 1000;

    /// <summary>The silos' <c>/metrics</c> URLs, scraped with the API's for the run's storage requests per unit.</summary>
    public IReadOnlyList<Uri> Metrics { get; init; } = [];

    /// <summary>v3-platform: the cf CLI v7 to time, if any.</summary>
    public string? Cli { get; init; }

    public static readonly string[] Scenarios = ["lifecycle", "lifecycle-v3", "create-only", "read-heavy", "read-heavy-roles", "list-heavy", "space-summary", "upload", "start-many", "baseline-blob", "baseline-read", "abuse", "v3-platform", "events"];

    public const string Usage = """
        usage: loadtest --url URL --apps N --concurrency C [options]
          --url URL          the Cloud Controller API (or the baseline server for baseline-* scenarios)
          --apps N           apps to drive (read-heavy: apps to create and read; list-heavy: apps in the listed
                             space; baseline-blob: writes)
          --concurrency C    operations in flight at once
          --duration S       stop after S seconds even if N is not reached (read-heavy reads for S, default 30)
          --bits-size BYTES  size of each app's bits (default 16384)
          --files N          files in each app's bits (default 4; upload: files over 64 KiB are cacheable)
          --spaces N         spread the apps over N spaces of the run's organization (default 1)
          --scenario NAME    lifecycle (default), lifecycle-v3 (apply_manifest, resource match, package,
                             upload, build, current droplet, start, RUNNING, rolling deployment, delete: what
                             cf v7 sends), create-only, read-heavy, read-heavy-roles (the same reads as
                             admin and as a space developer, in alternating 2 s phases), list-heavy, upload,
                             space-summary (GET /v2/spaces/:guid/summary of a space filled with --apps apps),
                             baseline-blob, baseline-read, abuse (creates in a loop for --duration, default 90 s,
                             while after 10 s a burst of abusive requests arrives: 50 apps given 1 MB environments,
                             a Procfile of 1,000 process types staged, four resource matches of 10,000
                             fingerprints; reports the creates before, during and after, and when they were back
                             to normal), v3-platform (--orgs organizations and --apps space developers; reads
                             GET /v3/roles?space_guids=S&include=user page by page; with --cli PATH also times the
                             cf CLI v7's `cf orgs` and `cf space-users` against them)
                             events (--apps events in an owner's space, 100 in a tenant's; reads the first page
                             of /v2/events and /v3/audit_events, newest first, as the tenant and as the owner)
          --orgs N           v3-platform: organizations to create (default 1000)
          --cli PATH         v3-platform: the cf CLI v7 binary to time
          --metrics URLS     the silos' /metrics URLs, comma-separated: their storage requests are counted with
                             the API's (its /metrics, read with the run's token) and reported per unit
          --json FILE        also write the results as JSON
          --user U --password P   the user to log in as (default admin/admin)
          --allow-remote     allow a URL that is not on this machine (default: loopback only)
        """;

    public static LoadTestOptions Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var allowRemote = false;
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name == "--allow-remote")
            {
                allowRemote = true;
                continue;
            }

            if (!name.StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Count)
            {
                throw new UsageException($"unexpected argument '{name}'");
            }

            values[name[2..]] = args[++i];
        }

        var known = new HashSet<string>(["url", "apps", "concurrency", "duration", "bits-size", "files", "scenario", "json", "user", "password", "spaces", "orgs", "cli", "metrics"]);
        if (values.Keys.FirstOrDefault(k => !known.Contains(k)) is { } unknown)
        {
            throw new UsageException($"unknown option --{unknown}");
        }

        var url = Required(values, "url");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new UsageException($"--url '{url}' is not an http(s) URL");
        }

        if (!allowRemote && !IsLoopback(uri))
        {
            throw new UsageException($"--url {uri.Host} is not a loopback address; pass --allow-remote to load another machine");
        }

        var scenario = values.GetValueOrDefault("scenario", "lifecycle");
        if (!Scenarios.Contains(scenario))
        {
            throw new UsageException($"--scenario '{scenario}' is unknown; one of {string.Join(", ", Scenarios)}");
        }

        var options = new LoadTestOptions(
            uri,
            Positive(values, "apps", null),
            Positive(values, "concurrency", null),
            values.ContainsKey("duration") ? TimeSpan.FromSeconds(Positive(values, "duration", null)) : null,
            Positive(values, "bits-size", 16384),
            Positive(values, "files", 4),
            scenario,
            values.GetValueOrDefault("json"),
            values.GetValueOrDefault("user", "admin"),
            values.GetValueOrDefault("password", "admin"),
            allowRemote,
            Positive(values, "spaces", 1))
        {
            Orgs = Positive(values, "orgs", 1000),
            Cli = values.GetValueOrDefault("cli") is { } cli ? File.Exists(cli) ? cli : throw new UsageException($"--cli {cli} does not exist") : null,
            Metrics = MetricsUrls(values.GetValueOrDefault("metrics"), allowRemote),
        };
        return options.BitsSize < options.Files
            ? throw new UsageException("--bits-size must be at least one byte per file")
            : options;
    }

    private static Uri[] MetricsUrls(string? list, bool allowRemote) =>
        [.. (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(text =>
            !Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
                ? throw new UsageException($"--metrics '{text}' is not an http(s) URL")
                : !allowRemote && !IsLoopback(uri)
                    ? throw new UsageException($"--metrics {uri.Host} is not a loopback address; pass --allow-remote to scrape another machine")
                    : uri)];

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    private static string Required(Dictionary<string, string> values, string name) =>
        values.TryGetValue(name, out var value) ? value : throw new UsageException($"--{name} is required");

    private static int Positive(Dictionary<string, string> values, string name, int? fallback)
    {
        if (!values.TryGetValue(name, out var text))
        {
            return fallback ?? throw new UsageException($"--{name} is required");
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new UsageException($"--{name} wants a positive whole number, not '{text}'");
    }
}

internal sealed class UsageException(string message) : Exception(message);
