using System.Text.Json.Nodes;
using CloudController.GrainInterfaces.Apps;
using CloudController.GrainInterfaces.Events;
using CloudController.Grains.Apps;

namespace CloudController.Grains.Events;

/// <summary>
/// App usage events (CC's <c>app_usage_events</c>, what billing reads): STARTED and STOPPED when an app's state
/// changes, with its instance count and memory. They travel in the app's outbox with its audit events, so they are
/// written because the state change was stored, never without it. In the trail they have a partition of their own
/// (<see cref="Partition"/>) with the event's guid as row key: the guids are time-ordered (version 7), so the
/// partition reads oldest first and <c>after_guid</c> is a row-key bound.
/// </summary>
public static class UsageEvents
{
    public const string TypePrefix = "app_usage.";
    public const string Partition = "usage";

    public static bool IsUsage(AuditEvent e) => e.Type.StartsWith(TypePrefix, StringComparison.Ordinal);

    /// <summary>The usage events a change from <paramref name="current"/> to <paramref name="next"/> owes (none unless the state changed).</summary>
    public static IEnumerable<AuditEvent> Between(Guid app, StoredApp current, StoredApp next, Guid? organization, DateTimeOffset now)
    {
        if (current.State == next.State)
        {
            yield break;
        }

        var (before, after) = (Web(current), Web(next));
        var state = next.State == AppState.Started ? "STARTED" : "STOPPED";
        var metadata = new JsonObject
        {
            ["state"] = state,
            ["previous_state"] = current.State == AppState.Started ? "STARTED" : "STOPPED",
            ["instance_count"] = after?.Instances ?? 0,
            ["previous_instance_count"] = before?.Instances ?? 0,
            ["memory_in_mb_per_instance"] = after?.Memory ?? 0,
            ["previous_memory_in_mb_per_instance"] = before?.Memory ?? 0,
            ["package_state"] = next.PackageState.ToString().ToUpperInvariant(),
            ["previous_package_state"] = current.PackageState.ToString().ToUpperInvariant(),
            ["buildpack_name"] = next.Buildpack ?? next.DetectedBuildpack,
            ["process_guid"] = app.ToString("D"),
            ["process_type"] = AppProcess.Web,
        };
        yield return new AuditEvent(Guid.CreateVersion7(now), TypePrefix + state, "", "", "", app.ToString("D"), "app", next.Name, now,
            metadata.ToJsonString(), next.SpaceGuid, organization);
    }

    private static AppProcess? Web(StoredApp app) =>
        app.Processes.Select(p => p.ToProcess(app)).FirstOrDefault(p => p.Type == AppProcess.Web);
}
