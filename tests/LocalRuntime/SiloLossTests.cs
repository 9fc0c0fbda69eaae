using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using CloudController.Tests.Api;
using CloudController.Tests.Infrastructure;

namespace CloudController.Tests.LocalRuntime;

/// <summary>
/// A silo running apps is killed (SIGKILL, no goodbye): its instances die with it, and a process that escaped its
/// instance's process group is removed by the next silo started in its place, before that silo runs the app again.
/// Real silo and API processes, so the silo can be killed.
/// </summary>
[Collection(LocalRuntimeSuite.Name)]
public sealed class SiloLossTests
{
    [Fact]
    public async Task AKilledSiloLeavesNoInstanceProcessOnceANewSiloHasStarted()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"cc-test-loss-{Guid.NewGuid():N}");
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__Blobs"] = TestStorage.ConnectionString,
            ["ORLEANS_SILO_PORT"] = TestStorage.FreePort().ToString(CultureInfo.InvariantCulture),
            ["ORLEANS_GATEWAY_PORT"] = TestStorage.FreePort().ToString(CultureInfo.InvariantCulture),
            ["CloudController__GrainStorage__ContainerName"] = TestStorage.UniqueContainer("loss"),
            ["CloudController__Work__ReminderTable"] = TestStorage.UniqueTable("lossreminders"),
            ["CloudController__Runtime__Provider"] = "local",
            ["CloudController__Runtime__Local__Directory"] = directory,
            ["Dashboard__Enabled"] = "false",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var first = HostProcess.Silo("silo-a", environment);
        await using var api = HostProcess.Api("api", environment);
        HostProcess? second = null;
        try
        {
            first.Start();
            await first.WaitReadyAsync(probe, 1, TimeSpan.FromSeconds(90));
            api.Start();
            using var http = new HttpClient { BaseAddress = api.HttpAddress, Timeout = TimeSpan.FromSeconds(60) };
            await Eventually.HoldsAsync("the API answers", async () =>
            {
                try
                {
                    return (await http.GetAsync("/v2/info")).StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(60));
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("bearer", await CloudControllerFixture.PasswordGrantAsync(http, "admin", "admin"));

            // The instance starts a process in a session of its own: out of its group, and not bound to die with the silo.
            var marker = $"escape-{Guid.NewGuid():N}";
            var org = (await (await http.PostJsonAsync("/v2/organizations", new { name = $"loss-{marker}" })).JsonAsync(HttpStatusCode.Created))
                .GetProperty("metadata").GetProperty("guid").GetString();
            var space = (await (await http.PostJsonAsync("/v2/spaces", new { name = "dev", organization_guid = org })).JsonAsync(HttpStatusCode.Created))
                .GetProperty("metadata").GetProperty("guid").GetString();
            var created = await (await http.PostJsonAsync("/v2/apps", new
            {
                name = "survivor", space_guid = space, memory = 64, buildpack = "binary_buildpack", health_check_type = "process",
                environment_json = new { MARKER = marker },
            })).JsonAsync(HttpStatusCode.Created);
            var app = created.GetProperty("metadata").GetProperty("guid").GetString()!;
            await BitsTests.Upload201Async(http, app, [], Zips.Create(("Procfile", Zips.Text("web: setsid sleep 100001 & exec sleep 100000\n"), 420)));
            await (await http.PutJsonAsync($"/v2/apps/{app}", new { state = "STARTED" })).JsonAsync(HttpStatusCode.Created);
            // The launcher (leading the group), the command it waits for, and the escaped child, each past its exec: a
            // child seen before `setsid` has run is still in the instance's group, and dies with it (a loaded machine
            // once showed exactly that).
            var before = await Eventually.ValueAsync("the instance and its escaped child run", () => Task.FromResult(Pids($"MARKER={marker}")),
                p => p.Count == 3 && p.Any(pid => CommandLine(pid) == "sleep 100001") && p.Any(pid => CommandLine(pid) == "sleep 100000"), TimeSpan.FromSeconds(60));

            first.KillAlone();
            // The instance itself dies with its silo (its parent-death signal); the escaped child is still there.
            await Eventually.ValueAsync("only the escaped child is left", () => Task.FromResult(string.Join(' ', Pids($"MARKER={marker}"))),
                pids => pids.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 1, TimeSpan.FromSeconds(30));

            second = HostProcess.Silo("silo-b", environment);
            second.Start();
            await second.WaitReadyAsync(probe, 1, TimeSpan.FromSeconds(90));
            await Eventually.HoldsAsync("nothing the killed silo started is left", () => Task.FromResult(!Pids($"MARKER={marker}").Intersect(before).Any()), TimeSpan.FromSeconds(30));
            // The app comes back on the new silo (its grain activates with the convergence pass and desires it again).
            try
            {
                await Eventually.HoldsAsync("the app runs again", () => Task.FromResult(Pids($"MARKER={marker}").Except(before).Any()), TimeSpan.FromSeconds(60));
            }
            catch (Xunit.Sdk.XunitException ex)
            {
                throw new Xunit.Sdk.XunitException($"{ex.Message}\nthe new silo said:\n{string.Join('\n', second.LastLines())}");
            }
        }
        finally
        {
            if (second is not null)
            {
                await second.DisposeAsync();
            }

            await first.DisposeAsync();
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Left for the machine's temp cleanup.
            }
        }
    }

    /// <summary>Live processes whose environment holds <paramref name="variable"/>.</summary>
    private static List<int> Pids(string variable) =>
        [.. CloudController.Grains.Runtime.Local.OsProcesses.WithEnvironment(variable)];

    /// <summary>A process's command line, its arguments joined by spaces ("" once it is gone).</summary>
    private static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").TrimEnd('\0').Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }
}
