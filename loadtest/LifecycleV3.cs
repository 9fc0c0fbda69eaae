using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace CloudController.LoadTest;

/// <summary>
/// The lifecycle-v3 scenario: one app through what cf v7's <c>push --strategy rolling</c> and <c>delete</c> send:
/// apply_manifest (job) → find the app → resource match → package → upload → build → STAGED → current droplet →
/// start → RUNNING → rolling deployment → FINALIZED → delete (job). Each unit is its own app in one of the spaces.
/// </summary>
internal sealed class LifecycleV3(CfClient cf, AppBits bits, IReadOnlyList<string> spaces, string run)
{
    private static readonly TimeSpan PollBound = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(250);

    public async Task RunAsync(int i)
    {
        var space = spaces[i % spaces.Count];
        var name = $"v3-{run}-{i}";
        var applied = await AcceptedAsync("apply-manifest", HttpMethod.Post, $"/v3/spaces/{space}/actions/apply_manifest",
            new StringContent($"applications:\n- name: {name}\n  memory: 64M\n  instances: 2\n  default-route: true\n", Encoding.UTF8, "application/x-yaml"));
        await PollAsync("poll-job", applied, j => State(j, "state", "COMPLETE", "FAILED"));
        var found = await cf.GetAsync("find-app", $"/v3/apps?names={name}&space_guids={space}", j => j.GetProperty("resources").GetArrayLength() == 1);
        var app = found.GetProperty("resources")[0].GetProperty("guid").GetString()!;

        await cf.PostJsonAsync("resource-matches", "/v3/resource_matches", new
        {
            resources = bits.Files.Select(f => new { path = f.Fn, mode = f.Mode, checksum = new { value = f.Sha1 }, size_in_bytes = f.Size }),
        }, HttpStatusCode.Created, j => j.GetProperty("resources").ValueKind == JsonValueKind.Array);
        var package = Guid(await cf.PostJsonAsync("create-package", "/v3/packages",
            new { type = "bits", relationships = new { app = new { data = new { guid = app } } } }, HttpStatusCode.Created, HasGuid));
        await cf.SendAsync("upload-package", () => new HttpRequestMessage(HttpMethod.Post, $"/v3/packages/{package}/upload") { Content = bits.V3Body() },
            HttpStatusCode.OK, HasGuid);
        await PollAsync("poll-package", $"/v3/packages/{package}", j => State(j, "state", "READY", "FAILED"));
        var build = Guid(await cf.PostJsonAsync("create-build", "/v3/builds", new { package = new { guid = package } }, HttpStatusCode.Created, HasGuid));
        var staged = await PollAsync("poll-build", $"/v3/builds/{build}", j => State(j, "state", "STAGED", "FAILED"));
        var droplet = staged.GetProperty("droplet").GetProperty("guid").GetString()!;

        await cf.SendAsync("set-droplet", () => new HttpRequestMessage(HttpMethod.Patch, $"/v3/apps/{app}/relationships/current_droplet")
        {
            Content = JsonContent.Create(new { data = new { guid = droplet } }),
        }, HttpStatusCode.OK, j => j.TryGetProperty("data", out _));
        await cf.PostJsonAsync("start-app", $"/v3/apps/{app}/actions/start", new { }, HttpStatusCode.OK, HasGuid);
        await PollAsync("poll-running", $"/v3/apps/{app}/processes/web/stats",
            j => j.GetProperty("resources").EnumerateArray().Any(s => s.GetProperty("state").GetString() == "RUNNING"));

        var deployment = Guid(await cf.PostJsonAsync("create-deployment", "/v3/deployments",
            new { droplet = new { guid = droplet }, relationships = new { app = new { data = new { guid = app } } } }, HttpStatusCode.Created, HasGuid));
        await PollAsync("poll-deployment", $"/v3/deployments/{deployment}", j => j.GetProperty("status").GetProperty("value").GetString() == "FINALIZED");

        var deleted = await AcceptedAsync("delete-app", HttpMethod.Delete, $"/v3/apps/{app}", null);
        await PollAsync("poll-job", deleted, j => State(j, "state", "COMPLETE", "FAILED"));
    }

    /// <summary>A request answered 202 with a <c>Location</c> (a job): the location's path.</summary>
    private async Task<string> AcceptedAsync(string operation, HttpMethod method, string url, HttpContent? content)
    {
        var location = "";
        await cf.SendAsync(operation, () => new HttpRequestMessage(method, url) { Content = content }, HttpStatusCode.Accepted, null,
            inspect: response => location = response.Headers.Location?.PathAndQuery ?? "");
        return location.Length > 0 ? location : throw new OperationFailedException($"{operation}: no Location");
    }

    private async Task<JsonElement> PollAsync(string operation, string url, Func<JsonElement, bool> done)
    {
        var started = DateTime.UtcNow;
        while (true)
        {
            var json = await cf.GetAsync(operation, url, j => j.ValueKind == JsonValueKind.Object);
            if (done(json))
            {
                return json;
            }

            if (DateTime.UtcNow - started > PollBound)
            {
                throw new OperationFailedException($"{operation}: poll-timeout");
            }

            await Task.Delay(PollEvery);
        }
    }

    /// <summary>Whether <paramref name="field"/> reached <paramref name="done"/>; <paramref name="failed"/> fails the unit.</summary>
    private static bool State(JsonElement json, string field, string done, string failed)
    {
        var state = json.GetProperty(field).GetString();
        return state == failed ? throw new OperationFailedException($"{field} {failed}: {json}") : state == done;
    }

    private static bool HasGuid(JsonElement json) => json.ValueKind == JsonValueKind.Object && json.TryGetProperty("guid", out _);

    private static string Guid(JsonElement json) => json.GetProperty("guid").GetString()!;
}
