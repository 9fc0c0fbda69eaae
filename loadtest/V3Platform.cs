using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace CloudController.LoadTest;

/// <summary>
/// The v3-platform scenario's setup and report: <c>--orgs</c> organizations and a space with <c>--apps</c> space
/// developers (each a UAA user with its org user role), then the cf CLI v7 (<c>--cli</c>) timed on <c>cf orgs</c> and
/// <c>cf space-users</c> against them. The loop reads the space's roles with their users a page at a time, as
/// <c>cf space-users</c> does.
/// </summary>
internal sealed class V3Platform(CfClient cf, LoadTestOptions options, string run)
{
    private readonly List<string> _notes = [];

    public string Organization { get; private set; } = "";

    public string OrganizationName => $"lt-{run}-roles";

    public string Space { get; private set; } = "";

    public IEnumerable<string> Notes() => _notes;

    public async Task SetUpAsync()
    {
        var org = await cf.PostJsonAsync("setup", "/v3/organizations", new { name = OrganizationName }, HttpStatusCode.Created, j => Shapes.HasString(j, "guid"));
        Organization = org.GetProperty("guid").GetString()!;
        var space = await cf.PostJsonAsync("setup", "/v3/spaces",
            new { name = "roles", relationships = new { organization = new { data = new { guid = Organization } } } },
            HttpStatusCode.Created, j => Shapes.HasString(j, "guid"));
        Space = space.GetProperty("guid").GetString()!;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 32 };
        await Parallel.ForEachAsync(Enumerable.Range(0, Math.Max(0, options.Orgs - 1)), parallel, async (i, _) =>
            await cf.PostJsonAsync("setup", "/v3/organizations", new { name = $"lt-{run}-org-{i:D5}" }, HttpStatusCode.Created, j => Shapes.HasString(j, "guid")));
        await Parallel.ForEachAsync(Enumerable.Range(0, options.Apps), parallel, async (i, _) =>
        {
            var name = $"lt-{run}-user-{i:D5}";
            await cf.PostJsonAsync("setup", "/Users", new { userName = name, password = $"pw-{run}" }, HttpStatusCode.Created, j => Shapes.HasString(j, "id"));
            await cf.PostJsonAsync("setup", "/v3/roles", Role("organization_user", "organization", Organization, name), HttpStatusCode.Created, j => Shapes.HasString(j, "guid"));
            await cf.PostJsonAsync("setup", "/v3/roles", Role("space_developer", "space", Space, name), HttpStatusCode.Created, j => Shapes.HasString(j, "guid"));
        });

        if (options.Cli is { } cli)
        {
            await TimeCliAsync(cli);
        }
        else
        {
            _notes.Add("cf CLI timings: skipped (no --cli)");
        }
    }

    /// <summary>One page of the space's roles with their users (per_page 50, as the CLI asks); the loop walks every page.</summary>
    public Task<JsonElement> ReadRolesAsync(int i)
    {
        var pages = Math.Max(1, (options.Apps + 49) / 50);
        var page = (i % pages) + 1;
        var expected = Math.Min(50, options.Apps - ((page - 1) * 50));
        return cf.GetAsync("list-v3-roles", $"/v3/roles?space_guids={Space}&include=user&page={page}", j =>
            j.GetProperty("resources").GetArrayLength() == expected && j.GetProperty("included").GetProperty("users").GetArrayLength() == expected, keep: false);
    }

    private async Task TimeCliAsync(string cli)
    {
        var home = Directory.CreateTempSubdirectory("loadtest-cf-home-");
        try
        {
            await RunAsync(cli, home.FullName, "api", options.Url.ToString().TrimEnd('/'));
            await RunAsync(cli, home.FullName, "auth", options.User, options.Password);
            foreach (var (label, args, check) in new (string, string[], string)[]
            {
                ($"cf orgs ({options.Orgs} orgs)", ["orgs"], OrganizationName),
                ($"cf space-users ({options.Apps} roles)", ["space-users", OrganizationName, "roles"], $"lt-{run}-user-{options.Apps - 1:D5}"),
            })
            {
                var times = new List<double>();
                for (var attempt = 0; attempt < 3; attempt++)
                {
                    var clock = Stopwatch.StartNew();
                    var output = await RunAsync(cli, home.FullName, args);
                    times.Add(clock.Elapsed.TotalSeconds);
                    if (!output.Contains(check, StringComparison.Ordinal))
                    {
                        throw new InvalidOperationException($"{label}: the output lacks {check}");
                    }
                }

                _notes.Add($"{label}: wall time {string.Join(" / ", times.Select(t => $"{t:F2} s"))} (three runs)");
            }
        }
        finally
        {
            home.Delete(recursive: true);
        }
    }

    private static async Task<string> RunAsync(string cli, string home, params string[] args)
    {
        var start = new ProcessStartInfo(cli) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["CF_HOME"] = home;
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var output = await process.StandardOutput.ReadToEndAsync(timeout.Token) + await process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"cf {string.Join(' ', args)} exited {process.ExitCode}: {output}");
    }

    private static Dictionary<string, object> Role(string type, string scope, string guid, string username) => new()
    {
        ["type"] = type,
        ["relationships"] = new Dictionary<string, object>
        {
            [scope] = new { data = new { guid } },
            ["user"] = new { data = new { username } },
        },
    };
}
